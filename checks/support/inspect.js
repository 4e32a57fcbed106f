// @ts-check
// What `docker inspect` says about containers and swarm tasks, read. Pure.
const { oneLine } = require("./parse");

/**
 * @typedef {object} ContainerReadiness what `docker inspect` says about a container
 * @property {boolean} running running (not paused or restarting), healthy or not
 * @property {boolean} ready running and, if it has a healthcheck, healthy
 * @property {boolean} final it has stopped for good (exited, dead, being removed): no point waiting
 * @property {string} describe e.g. "running, health: starting"
 */

/**
 * Reads the JSON of `docker inspect --format '{{json .State}}'`. A container is ready when it is
 * running (not paused or restarting) and, if it has a healthcheck, healthy; it is `final` when it
 * has stopped and will not come back by itself (exited, dead or being removed; "created" and
 * "restarting" may still start).
 * @param {string} stateJson
 * @returns {ContainerReadiness}
 */
function containerReadiness(stateJson) {
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(stateJson);
  } catch {
    return {
      running: false,
      ready: false,
      final: false,
      describe: `unreadable state ${JSON.stringify(stateJson.trim())}`,
    };
  }
  if (typeof parsed !== "object" || parsed === null) {
    return {
      running: false,
      ready: false,
      final: false,
      describe: `unreadable state ${JSON.stringify(stateJson.trim())}`,
    };
  }
  const state = /** @type {Record<string, unknown>} */ (parsed);
  const status = typeof state.Status === "string" ? state.Status : "unknown";
  const health = /** @type {{ Status?: unknown, Log?: unknown } | null | undefined} */ (state.Health);
  const healthStatus = health && typeof health.Status === "string" ? health.Status : undefined;
  let describe = status;
  if (status === "exited") describe += ` (exit code ${state.ExitCode})`;
  if (typeof state.Error === "string" && state.Error !== "") describe += `, error: ${state.Error}`;
  if (healthStatus) {
    describe += `, health: ${healthStatus}`;
    const log = Array.isArray(health?.Log) ? health.Log : [];
    const last = /** @type {{ Output?: unknown } | undefined} */ (log[log.length - 1]);
    if (healthStatus !== "healthy" && last && typeof last.Output === "string" && last.Output.trim()) {
      describe += ` (last health check: ${oneLine(last.Output)})`;
    }
  }
  const running = state.Running === true && state.Paused !== true && state.Restarting !== true;
  return {
    running,
    ready: running && (healthStatus === undefined || healthStatus === "healthy"),
    final: ["exited", "dead", "removing"].includes(status) && state.Restarting !== true,
    describe,
  };
}

/**
 * The tasks in `docker inspect --type task` output (a JSON array); none when it is unreadable.
 * @param {string} tasksJson
 * @returns {any[]}
 */
function taskList(tasksJson) {
  try {
    const parsed = JSON.parse(tasksJson);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * The addresses on `network` of the running tasks in `docker inspect --type task` output (a JSON
 * array of tasks): each task's first address on that network, without its prefix length, sorted.
 * Tasks in any other state, or not on that network, are left out; unreadable input gives none.
 * @param {string} tasksJson
 * @param {string} network the network's name
 * @returns {string[]}
 */
function runningTaskAddresses(tasksJson, network) {
  /** @type {string[]} */
  const addresses = [];
  for (const task of taskList(tasksJson)) {
    if (task?.Status?.State !== "running" || !Array.isArray(task.NetworksAttachments)) continue;
    const attachment = task.NetworksAttachments.find(
      (/** @type {any} */ a) => a?.Network?.Spec?.Name === network && Array.isArray(a.Addresses),
    );
    const first = attachment?.Addresses?.[0];
    if (typeof first === "string" && first !== "") addresses.push(first.replace(/\/\d+$/, ""));
  }
  return addresses.sort();
}

/**
 * The IDs of the tasks in `docker inspect --type task` output that swarm is stopping but that still
 * run: desired state no longer "running" (replaced by an update, or scaled away), state "running".
 * Tasks on the nodes in `leaveOut` are left out. Unreadable input gives none.
 * @param {string} tasksJson
 * @param {Set<string>} [leaveOut] node IDs
 * @returns {string[]}
 */
function stoppingTasks(tasksJson, leaveOut = new Set()) {
  return taskList(tasksJson)
    .filter((task) => task?.Status?.State === "running" && task?.DesiredState !== "running")
    .filter((task) => !leaveOut.has(task?.NodeID))
    .map((task) => String(task.ID));
}

/**
 * The nodes swarm has lost, from `docker node ls --format '{{.ID}} {{.Status}}'`: every node whose
 * status is not Ready (Down, Unknown, Disconnected). A task there keeps the last state its node
 * reported ("running") until the node returns, and nothing on the swarm reaches it meanwhile.
 * @param {string} nodeLs
 * @returns {Set<string>}
 */
function lostNodes(nodeLs) {
  const lost = new Set();
  for (const line of nodeLs.split("\n")) {
    const [id, status] = line.trim().split(/\s+/);
    if (id && status && status !== "Ready") lost.add(id);
  }
  return lost;
}

module.exports = { containerReadiness, lostNodes, runningTaskAddresses, stoppingTasks };
