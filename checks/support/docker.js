// @ts-check
// The checks' view of Docker: the docker CLI (argument arrays, never a shell, the inherited
// DOCKER_HOST), waits for containers and swarm tasks, and `docker exec` retried until it answers.
// Every call is bounded by the check's deadline.
const { execFile } = require("node:child_process");
const { CheckFailure } = require("./failure");
const { retryUntil } = require("./deadline");
const { containerReadiness, oneLine, runningTaskAddresses } = require("./parse");

/** @typedef {import("./deadline").Deadline} Deadline */
/** @typedef {import("../types").ContainerRef} ContainerRef */
/** @typedef {import("../types").Subject} Subject */
/** @typedef {import("../types").Address} Address */

/** One docker CLI call may take this long at most (less when the deadline is nearer). */
const CALL_MAX_MS = 15000;
const CALL_MIN_MS = 2000;
const LOG_LINES = 20;

/**
 * @typedef {object} DockerOutput
 * @property {number | null} code exit code (null when killed)
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * Runs the docker CLI. Resolves for any exit code; rejects only when the CLI cannot be started.
 * @param {string[]} args
 * @param {number} timeoutMs
 * @returns {Promise<DockerOutput>}
 */
function docker(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(
      "docker",
      args,
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof error.code === "string") {
          reject(new Error(`cannot run the docker CLI: ${error.message}`));
          return;
        }
        const timedOut = Boolean(error?.killed);
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : null) : 0,
          stdout,
          stderr: timedOut ? `${stderr}docker ${args[0]} took longer than ${timeoutMs} ms` : stderr,
        });
      },
    );
  });
}

/**
 * The time one docker call may take: what is left of the deadline, within sensible limits.
 * @param {Deadline} deadline
 */
function callTimeout(deadline) {
  return Math.min(CALL_MAX_MS, Math.max(CALL_MIN_MS, deadline.remaining()));
}

/**
 * What a failed docker call said, on one line.
 * @param {DockerOutput} out
 */
function failureText(out) {
  return oneLine(out.stderr || out.stdout) || `exit code ${out.code}`;
}

/**
 * Lines of output, trimmed, without empty ones.
 * @param {string} text
 */
function outputLines(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * The first 12 characters of an ID, as docker shows it.
 * @param {string} id
 */
function shortId(id) {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/**
 * Fails when `name` is not the object the stack made (`expectedId`): replaced by hand since.
 * @param {string} kind "container" or "service"
 * @param {string} name
 * @param {string | undefined} expectedId
 * @param {string} actualId
 */
function assertSame(kind, name, expectedId, actualId) {
  if (expectedId === undefined || actualId === expectedId) return;
  throw new CheckFailure(`${kind} ${name} is not the one the stack made`, {
    expected: `${kind} ${name} with id ${shortId(expectedId)} (as the stack recorded it)`,
    seen: `${kind} ${name} has id ${shortId(actualId)}: it was replaced outside the stack; run npm run up`,
    data: { [kind]: name },
  });
}

/**
 * Waits until the container runs and (unless `healthy` is false) its healthcheck, if any, passes.
 * Fails at once when it is not the stack's or has stopped for good, and when the deadline passes.
 * @param {ContainerRef} ref
 * @param {Deadline} deadline
 * @param {{ healthy?: boolean }} [options] healthy: false to look inside a container whose health
 *   depends on the very link being checked (its env and /etc/hosts are there as soon as it runs)
 * @returns {Promise<void>}
 */
async function waitForContainer(ref, deadline, { healthy = true } = {}) {
  const { container } = ref;
  const expected = healthy
    ? `container ${container} running (and healthy, if it has a healthcheck)`
    : `container ${container} running`;
  await retryUntil(
    deadline,
    async () => {
      const out = await docker(
        ["inspect", "--type", "container", "--format", "{{.Id}} {{json .State}}", container],
        callTimeout(deadline),
      );
      // Checks run on containers the stack made: one that is gone will not come back by waiting.
      if (out.code !== 0 && /no such (container|object)/i.test(out.stderr)) {
        throw new CheckFailure(`container ${container} does not exist`, {
          expected,
          seen: `no container ${container}: it was removed outside the stack; run npm run up`,
          data: { container },
        });
      }
      if (out.code !== 0) return { retry: `container ${container}: ${failureText(out)}` };
      const space = out.stdout.indexOf(" ");
      assertSame("container", container, ref.id, out.stdout.slice(0, space));
      const state = containerReadiness(out.stdout.slice(space + 1));
      if (state.ready || (!healthy && state.running)) return { value: undefined };
      if (state.final) {
        throw new CheckFailure(`container ${container} has stopped`, {
          expected,
          seen: state.describe,
          container,
          data: { container },
        });
      }
      return { retry: `container ${container}: ${state.describe}` };
    },
    (last, attempts) =>
      new CheckFailure(`container ${container} was not ready within ${deadline.seconds} s`, {
        expected,
        seen: `${last} (after ${attempts} looks)`,
        container,
        data: { container },
      }),
  );
}

/**
 * `docker exec <container> <command...>`, retried while it exits non-zero (the container may be
 * restarting, a name may not resolve yet). A missing executable fails at once. `accept` can turn a
 * zero exit into a retry too (it returns a reason), or throw.
 * @param {string} container
 * @param {string[]} command
 * @param {Deadline} deadline
 * @param {{ expected: string, shown?: string, accept?: (out: DockerOutput) => string | undefined }} how
 *   shown: the command as messages show it (default: the command itself)
 * @returns {Promise<DockerOutput>}
 */
function execUntil(
  container,
  command,
  deadline,
  { expected, shown = command.join(" "), accept = () => undefined },
) {
  /** @type {() => Promise<{ value: DockerOutput } | { retry: string }>} */
  const attempt = async () => {
    const out = await docker(["exec", container, ...command], callTimeout(deadline));
    if (out.code !== 0 && /executable file not found|OCI runtime exec failed/i.test(out.stderr)) {
      throw new CheckFailure(`cannot run ${command[0]} in container ${container}`, {
        expected,
        seen: `${shown}: ${failureText(out)}`,
        container,
        data: { container },
      });
    }
    if (out.code !== 0) return { retry: `${shown}: ${failureText(out)}` };
    const reason = accept(out);
    return reason === undefined ? { value: out } : { retry: `${shown}: ${reason}` };
  };
  return retryUntil(
    deadline,
    attempt,
    (last, attempts) =>
      new CheckFailure(`gave up after ${attempts} attempts in ${deadline.seconds} s`, {
        expected,
        seen: last,
        container,
        data: { container },
      }),
  );
}

/**
 * The container to look into once it runs: the container itself, or one running task container of
 * the service on this engine (the first by name). Its env and /etc/hosts are there as soon as it
 * runs; its health may depend on the link being checked, so that is not waited for.
 * @param {Subject} subject
 * @param {Deadline} deadline
 * @returns {Promise<string>}
 */
async function subjectContainer(subject, deadline) {
  if (!("service" in subject)) {
    await waitForContainer(subject, deadline, { healthy: false });
    return subject.container;
  }
  const { service } = subject;
  await assertServiceIsTheStacks(subject, deadline);
  /** @type {() => Promise<{ value: string } | { retry: string }>} */
  const findTask = async () => {
    const out = await docker(
      [
        "ps",
        "--filter",
        `label=com.docker.swarm.service.name=${service}`,
        "--filter",
        "status=running",
      ].concat(["--format", "{{.Names}}"]),
      callTimeout(deadline),
    );
    if (out.code !== 0) return { retry: `service ${service}: ${failureText(out)}` };
    const [first] = outputLines(out.stdout).sort();
    return first === undefined ? { retry: `service ${service} has no running task here` } : { value: first };
  };
  const container = await retryUntil(
    deadline,
    findTask,
    (last, attempts) =>
      new CheckFailure(`no running task of service ${service} on this engine within ${deadline.seconds} s`, {
        expected: `a running task container of service ${service} on the engine the checks talk to`,
        seen: `${last} (after ${attempts} looks)`,
        data: { service },
      }),
  );
  await waitForContainer({ container }, deadline, { healthy: false });
  return container;
}

/**
 * @param {import("../types").ServiceRef} ref
 * @param {Deadline} deadline
 */
async function assertServiceIsTheStacks(ref, deadline) {
  if (ref.id === undefined) return;
  const out = await docker(["service", "inspect", "--format", "{{.ID}}", ref.service], callTimeout(deadline));
  if (out.code !== 0) {
    throw new CheckFailure(`service ${ref.service} is not there`, {
      expected: `service ${ref.service} (id ${shortId(ref.id)}, as the stack recorded it)`,
      seen: `${failureText(out)}; run npm run up`,
      data: { service: ref.service },
    });
  }
  assertSame("service", ref.service, ref.id, out.stdout.trim());
}

/**
 * The address the alias must lead to: a fixed one, or the address on `network` of the running task
 * of `service`, as swarm reports it, waited for until there is exactly one.
 * @param {Address} address
 * @param {Deadline} deadline
 * @returns {Promise<string>}
 */
function resolveAddress(address, deadline) {
  if ("ip" in address) return Promise.resolve(address.ip);
  const { service, network } = address;
  /** @type {() => Promise<{ value: string } | { retry: string }>} */
  const attempt = async () => {
    const ps = await docker(
      ["service", "ps", "--quiet", "--no-trunc", "--filter", "desired-state=running", service],
      callTimeout(deadline),
    );
    if (ps.code !== 0) return { retry: `service ${service}: ${failureText(ps)}` };
    const tasks = outputLines(ps.stdout);
    if (tasks.length === 0) return { retry: `service ${service} has no task` };
    const out = await docker(["inspect", "--type", "task", ...tasks], callTimeout(deadline));
    if (out.code !== 0) return { retry: `tasks of service ${service}: ${failureText(out)}` };
    const addresses = runningTaskAddresses(out.stdout, network);
    if (addresses.length === 1) return { value: addresses[0] };
    return {
      retry:
        addresses.length === 0
          ? `service ${service} has no running task with an address on ${network}`
          : `service ${service} has ${addresses.length} running tasks on ${network} (${addresses.join(", ")})`,
    };
  };
  return retryUntil(
    deadline,
    attempt,
    (last, attempts) =>
      new CheckFailure(`no address for service ${service} on ${network} within ${deadline.seconds} s`, {
        expected: `one running task of service ${service} with an address on network ${network}`,
        seen: `${last} (after ${attempts} looks)`,
        data: { service, network },
      }),
  );
}

/**
 * The container's last log lines (stdout and stderr), indented, for a failure message.
 * @param {string} container
 * @returns {Promise<string>}
 */
async function recentLogs(container) {
  try {
    const out = await docker(["logs", "--tail", String(LOG_LINES), container], 10000);
    if (out.code !== 0) return `(could not read the logs of container ${container}: ${failureText(out)})`;
    const lines = `${out.stdout}${out.stderr}`.split("\n").filter((line) => line !== "");
    if (lines.length === 0) return `container ${container} has logged nothing`;
    return [`last ${LOG_LINES} log lines of container ${container}:`, ...lines.map((l) => `  | ${l}`)].join(
      "\n",
    );
  } catch (err) {
    return `(could not read the logs of container ${container}: ${err instanceof Error ? err.message : err})`;
  }
}

/**
 * How a container is, in a few words ("running, health: healthy"), or why that is unknown.
 * @param {string} container
 * @returns {Promise<{ ready: boolean, describe: string }>}
 */
async function containerState(container) {
  const out = await docker(
    ["inspect", "--type", "container", "--format", "{{json .State}}", container],
    CALL_MIN_MS,
  );
  if (out.code !== 0) return { ready: false, describe: failureText(out) };
  const state = containerReadiness(out.stdout);
  return { ready: state.ready, describe: state.describe };
}

module.exports = {
  containerState,
  execUntil,
  recentLogs,
  resolveAddress,
  subjectContainer,
  waitForContainer,
};
