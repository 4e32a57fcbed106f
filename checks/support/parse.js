// @ts-check
// Pure helpers for the tutorial's checks: parse what `env`, `cat /etc/hosts`,
// `getent hosts`, `ping -c 1`, the counter app and `redis-cli --raw KEYS *` print, and compare it
// with what the stack expects. No I/O here, so every function is unit-tested on sample text.

/**
 * @typedef {object} HostsLine one /etc/hosts (or `getent hosts`) record
 * @property {string} ip
 * @property {string[]} names in the order they are written
 */

/**
 * @typedef {object} PingResult
 * @property {number | undefined} transmitted
 * @property {number | undefined} received
 * @property {string | undefined} address the address `ping` resolved the target to
 */

/**
 * @typedef {object} EnvDifference
 * @property {string} key
 * @property {"missing" | "unexpected" | "different"} kind
 * @property {string} [expected]
 * @property {string} [seen]
 */

/**
 * @typedef {object} ContainerReadiness what `docker inspect` says about a container
 * @property {boolean} running running (not paused or restarting), healthy or not
 * @property {boolean} ready running and, if it has a healthcheck, healthy
 * @property {boolean} final it has stopped for good (exited, dead, being removed): no point waiting
 * @property {string} describe e.g. "running, health: starting"
 */

/**
 * The link variables in `env` output (KEY=VALUE lines; a value may contain "=", so a line is split
 * at its first "="): the variables whose name matches `linkVar`. Lines without "=" are left out; a
 * repeated key keeps its last value.
 * @param {string} text
 * @param {RegExp} linkVar
 * @returns {Record<string, string>}
 */
function parseEnv(text, linkVar) {
  /** @type {Record<string, string>} */
  const vars = {};
  for (const line of text.split("\n")) {
    const entry = line.replace(/\r$/, "");
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    if (linkVar.test(key)) vars[key] = entry.slice(eq + 1);
  }
  return vars;
}

/**
 * Every record of a hosts-format text (/etc/hosts, `getent hosts`): blank lines and comments
 * (from "#" to the end of the line) are skipped, and a line needs an address and at least one name.
 * @param {string} text
 * @returns {HostsLine[]}
 */
function parseHostsRecords(text) {
  /** @type {HostsLine[]} */
  const records = [];
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*$/, "").trim().split(/\s+/).filter(Boolean);
    if (fields.length < 2) continue;
    records.push({ ip: fields[0], names: fields.slice(1) });
  }
  return records;
}

/**
 * The /etc/hosts records that name `alias` (host names are compared without regard to case, as the
 * resolver does).
 * @param {string} text
 * @param {string} alias
 * @returns {HostsLine[]}
 */
function parseHosts(text, alias) {
  const wanted = alias.toLowerCase();
  return parseHostsRecords(text).filter((record) => record.names.some((n) => n.toLowerCase() === wanted));
}

/**
 * `ping -c 1` output from busybox ("PING redis (172.17.0.2): 56 data bytes", "1 packets
 * transmitted, 1 packets received, 0% packet loss") or iputils ("PING redis (172.17.0.2) 56(84)
 * bytes of data.", "1 packets transmitted, 1 received, ..."). Fields that do not appear are undefined.
 * @param {string} text
 * @returns {PingResult}
 */
function parsePing(text) {
  const stats = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
  const header = /^PING \S+ \(([^)\s]+)\)/m.exec(text);
  return {
    transmitted: stats ? Number(stats[1]) : undefined,
    received: stats ? Number(stats[2]) : undefined,
    address: header ? header[1] : undefined,
  };
}

/**
 * The counter from the app's page ("...Total requests: N..."), or undefined when there is none.
 * @param {string} body
 * @returns {number | undefined}
 */
function parseTotalRequests(body) {
  const match = /Total requests: (\d+)/.exec(body);
  return match ? Number(match[1]) : undefined;
}

/**
 * The keys `redis-cli --raw KEYS *` printed (one per line; an empty database prints one empty
 * line), sorted.
 * @param {string} text
 * @returns {string[]}
 */
function parseKeys(text) {
  return text
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => line !== "")
    .sort();
}

// Error replies redis-cli prints on stdout while still exiting 0 (e.g. "NOAUTH Authentication
// required." when a password is needed and none was given).
const REDIS_ERROR_REPLY = /^(?:ERR|NOAUTH|WRONGPASS|NOPERM|LOADING|BUSY|MASTERDOWN|MISCONF|READONLY)\b/;
// Error replies that waiting will not fix.
const REDIS_PERMANENT_ERROR = /^(?:NOAUTH|WRONGPASS|NOPERM)\b|AUTH failed/;

/**
 * The error redis-cli reported, if any: a failed AUTH on stderr ("AUTH failed: WRONGPASS ...") or
 * an error reply as the only line of stdout. `permanent` is true for authentication and permission
 * errors, which retrying will not fix.
 * @param {string} stdout
 * @param {string} stderr
 * @returns {{ message: string, permanent: boolean } | undefined}
 */
function redisCliError(stdout, stderr) {
  const authFailure = /AUTH failed[^\n]*/.exec(stderr);
  if (authFailure) return { message: authFailure[0].trim(), permanent: true };
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 1 && REDIS_ERROR_REPLY.test(lines[0])) {
    return { message: lines[0].trim(), permanent: REDIS_PERMANENT_ERROR.test(lines[0]) };
  }
  return undefined;
}

/**
 * How `seen` differs from `expected`: keys that are missing, unexpected, or have another value,
 * sorted by key.
 * @param {Record<string, string>} expected
 * @param {Record<string, string>} seen
 * @returns {EnvDifference[]}
 */
function compareEnv(expected, seen) {
  /** @type {EnvDifference[]} */
  const differences = [];
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(seen)])].sort();
  for (const key of keys) {
    const inExpected = Object.hasOwn(expected, key);
    const inSeen = Object.hasOwn(seen, key);
    if (inExpected && !inSeen) differences.push({ key, kind: "missing", expected: expected[key] });
    else if (!inExpected && inSeen) differences.push({ key, kind: "unexpected", seen: seen[key] });
    else if (expected[key] !== seen[key]) {
      differences.push({ key, kind: "different", expected: expected[key], seen: seen[key] });
    }
  }
  return differences;
}

/**
 * One line per difference, e.g. `REDIS_NAME: expected "/web/redis", seen "/app/redis"`.
 * @param {EnvDifference[]} differences
 * @returns {string[]}
 */
function describeEnvDifferences(differences) {
  return differences.map((d) => {
    if (d.kind === "missing") return `${d.key}: missing (expected ${JSON.stringify(d.expected)})`;
    if (d.kind === "unexpected") return `${d.key}: unexpected (seen ${JSON.stringify(d.seen)})`;
    return `${d.key}: expected ${JSON.stringify(d.expected)}, seen ${JSON.stringify(d.seen)}`;
  });
}

/**
 * What is wrong with the alias's /etc/hosts records when exactly one, `expected`, should be there
 * (same address, same names in the same order); an empty list when all is well.
 * @param {HostsLine} expected
 * @param {HostsLine[]} seen the records that name the alias
 * @returns {string[]}
 */
function compareHostsLines(expected, seen) {
  if (seen.length === 0) return [`no line for the alias; expected "${formatHostsLine(expected)}"`];
  if (seen.length > 1) {
    return [
      `${seen.length} lines for the alias (${seen.map((l) => `"${formatHostsLine(l)}"`).join(", ")}); ` +
        `expected exactly one: "${formatHostsLine(expected)}"`,
    ];
  }
  const [line] = seen;
  const problems = [];
  if (line.ip !== expected.ip) problems.push(`address: expected ${expected.ip}, seen ${line.ip}`);
  if (line.names.join(" ") !== expected.names.join(" ")) {
    problems.push(`names: expected "${expected.names.join(" ")}", seen "${line.names.join(" ")}"`);
  }
  return problems;
}

/**
 * A hosts record as one line, fields separated by single spaces.
 * @param {HostsLine} line
 * @returns {string}
 */
function formatHostsLine(line) {
  return [line.ip, ...line.names].join(" ");
}

/**
 * Whether every number is the previous one plus one (true for a single number, false for none).
 * @param {number[]} numbers
 * @returns {boolean}
 */
function isStrictlyIncreasingByOne(numbers) {
  return (
    numbers.length > 0 &&
    numbers.every((n, i) => Number.isInteger(n) && (i === 0 || n === numbers[i - 1] + 1))
  );
}

/**
 * `count` consecutive integers from `first`.
 * @param {number} first
 * @param {number} count
 * @returns {number[]}
 */
function consecutiveFrom(first, count) {
  return Array.from({ length: count }, (_, i) => first + i);
}

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
 * The addresses on `network` of the running tasks in `docker inspect --type task` output (a JSON
 * array of tasks): each task's first address on that network, without its prefix length, sorted.
 * Tasks in any other state, or not on that network, are left out; unreadable input gives none.
 * @param {string} tasksJson
 * @param {string} network the network's name
 * @returns {string[]}
 */
function runningTaskAddresses(tasksJson, network) {
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(tasksJson);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  /** @type {string[]} */
  const addresses = [];
  for (const task of parsed) {
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
 * How many responses each server gave (the X-Served-By values; responses without one are left out),
 * in the order the servers first answered.
 * @param {{ servedBy: string | null }[]} responses
 * @returns {Record<string, number>}
 */
function countServers(responses) {
  /** @type {Record<string, number>} */
  const counts = {};
  for (const { servedBy } of responses) {
    if (servedBy !== null) counts[servedBy] = (counts[servedBy] ?? 0) + 1;
  }
  return counts;
}

/**
 * Text squeezed onto one line: whitespace runs become one space; longer than `max` is cut with "…".
 * @param {string} text
 * @param {number} [max]
 * @returns {string}
 */
function oneLine(text, max = 200) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

module.exports = {
  parseEnv,
  parseHostsRecords,
  parseHosts,
  parsePing,
  parseTotalRequests,
  parseKeys,
  redisCliError,
  compareEnv,
  describeEnvDifferences,
  compareHostsLines,
  formatHostsLine,
  isStrictlyIncreasingByOne,
  consecutiveFrom,
  containerReadiness,
  runningTaskAddresses,
  countServers,
  oneLine,
};
