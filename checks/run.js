// @ts-check
// The tutorial's five checks, one per run: `node checks/run.js <env|hosts|ping|http|keys>`.
// The stack runs each as a command.local.Command; all inputs come from environment variables (never
// from a shell string), the result is ONE line of JSON on stdout, progress goes to stderr. A failed
// check exits 1 and explains on stderr what was expected and what was seen (with the container's
// last 20 log lines); a usage error exits 2.
//
// Environment (every value is read as a plain string; nothing here is ever given to a shell):
//   common  CHECK_TIMEOUT_SECONDS  overall bound in seconds for readiness waits and retries
//                                  (default 60; a positive number)
//   env     CHECK_CONTAINER        container to run `env` in
//           CHECK_ALIAS            link alias, e.g. redis (link variables are <ALIAS>_*)
//           CHECK_MODE             legacy (default) | network
//           CHECK_EXPECTED_ENV     JSON object: exactly the link variables expected. Required in
//                                  legacy mode; in network mode it may be left out and must be {}:
//                                  a network alias sets no variables, so none may be there.
//   hosts   CHECK_CONTAINER, CHECK_ALIAS, CHECK_MODE
//           CHECK_EXPECTED_HOSTS   legacy mode: JSON {"ip": "...", "names": ["alias", ...]}: exactly
//                                  one /etc/hosts line names the alias, with that address and
//                                  those names in that order
//           CHECK_EXPECTED_ADDRESS network mode: no /etc/hosts line names the alias, and
//                                  `getent hosts <alias>` (glibc; the app image has it) resolves it
//                                  to this address
//   ping    CHECK_CONTAINER        the busybox probe
//           CHECK_ALIAS            target of `ping -c 1 -W 2 <alias>` (retried until it answers)
//           CHECK_EXPECTED_ADDRESS the address ping must resolve the alias to
//   http    CHECK_URL              the app, e.g. http://127.0.0.1:3000/
//           CHECK_SOURCE_CONTAINER optional: the Redis container; when the app never answers 200 and
//                                  this is not healthy, the failure names it (and shows its logs)
//           CHECK_CONTAINER        optional: the app's container, whose logs a failure shows
//           CHECK_REQUESTS         number of GETs after the app is ready (default 3; 1-1000)
//           CHECK_MIN_SERVERS      swarm target: at least this many distinct X-Served-By values
//                                  (replicas) must have answered them (1-1000, at most CHECK_REQUESTS)
//   keys    CHECK_CONTAINER        the redis-cli container; a Redis password, if any, is already in
//                                  its own environment as REDISCLI_AUTH (never given to the check)
//           CHECK_ALIAS            host for `redis-cli -h <alias> --raw KEYS *`
// Swarm target (network mode only; the expected/seen lines say "swarm: DNS on the overlay, no link env
// vars"):
//   env, hosts  CHECK_SERVICE      instead of CHECK_CONTAINER: the checks run in one running task
//                                  container of this service on the engine (its first by name)
//   hosts, ping CHECK_EXPECTED_SERVICE and CHECK_NETWORK, instead of CHECK_EXPECTED_ADDRESS: the
//                                  expected address is that of the service's running task on that
//                                  network, as swarm reports it (a task has no fixed address)
// Docker is reached with the `docker` CLI and the inherited environment (DOCKER_HOST etc.).
//
// Result (stdout, one line): { check, ok, expected, seen, data } where expected/seen are one-line
// summaries and data is
//   env   { container, vars, service? }             vars: the link variables seen
//   hosts { container, lines: [{ip, names}], address?, service? }  lines: /etc/hosts lines naming
//                                                   the alias; address: what getent resolved (network mode)
//   ping  { container, target, transmitted, received, address }
//   http  { url, responses: [{ status, totalRequests, servedBy }], servers?, minServers? }
//                                                   servers: responses per X-Served-By (with CHECK_MIN_SERVERS)
//   keys  { container, keys }
// A failed check prints the same shape with ok false when it got far enough to have one.
const { execFile } = require("node:child_process");
const http = require("node:http");
const https = require("node:https");
const {
  compareEnv,
  compareHostsLines,
  consecutiveFrom,
  containerReadiness,
  countServers,
  describeEnvDifferences,
  formatHostsLine,
  isStrictlyIncreasingByOne,
  linkEnvPrefix,
  oneLine,
  parseEnv,
  parseHosts,
  parseHostsRecords,
  parseKeys,
  parsePing,
  parseTotalRequests,
  redisCliError,
  runningTaskAddresses,
} = require("./parse");

const CHECKS = /** @type {const} */ (["env", "hosts", "ping", "http", "keys"]);
/** @typedef {(typeof CHECKS)[number]} CheckName */

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const DEFAULT_TIMEOUT_SECONDS = 60;
const DEFAULT_REQUESTS = 3;
/** Each of the counted GETs must be answered within this. */
const REQUEST_TIMEOUT_MS = 5000;
/** A readiness GET gets at least this long, even right before the bound. */
const READY_ATTEMPT_MIN_MS = 500;
/** One docker CLI call may take this long at most (less when the overall bound is nearer). */
const DOCKER_CALL_MAX_MS = 15000;
const DOCKER_CALL_MIN_MS = 2000;
/** Pause between attempts: doubles from the first value up to the second. */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 1000;
const LOG_LINES = 20;
const REQUIRED_KEYS = ["ip", "requests"];
const SWARM_NOTE = "swarm: DNS on the overlay, no link env vars";

const USAGE = `usage: node checks/run.js <${CHECKS.join("|")}>
inputs come from environment variables, see the top of checks/run.js:
  all    CHECK_TIMEOUT_SECONDS (default ${DEFAULT_TIMEOUT_SECONDS})
  env    CHECK_CONTAINER CHECK_ALIAS CHECK_MODE=legacy|network CHECK_EXPECTED_ENV (JSON object)
  hosts  CHECK_CONTAINER CHECK_ALIAS CHECK_MODE=legacy|network
         CHECK_EXPECTED_HOSTS (legacy, JSON {ip, names}) | CHECK_EXPECTED_ADDRESS (network)
  ping   CHECK_CONTAINER CHECK_ALIAS CHECK_EXPECTED_ADDRESS
  http   CHECK_URL CHECK_REQUESTS (default ${DEFAULT_REQUESTS}) CHECK_MIN_SERVERS (default 1)
  keys   CHECK_CONTAINER CHECK_ALIAS
  swarm  env, hosts: CHECK_SERVICE instead of CHECK_CONTAINER (CHECK_MODE=network);
         hosts, ping: CHECK_EXPECTED_SERVICE CHECK_NETWORK instead of CHECK_EXPECTED_ADDRESS`;

/**
 * @typedef {object} CheckResult the one line of JSON a check prints
 * @property {CheckName} check
 * @property {boolean} ok
 * @property {string} expected one-line summary of what the check expects
 * @property {string} seen one-line summary of what it found
 * @property {unknown} data check-specific details
 */

/** Bad arguments or environment: exit 2 with the usage text. */
class UsageError extends Error {}

/** The check ran and did not see what it expected. */
class CheckFailure extends Error {
  /**
   * @param {string} summary what went wrong, in a few words
   * @param {{ expected: string, seen: string, details?: string[], container?: string, data?: unknown }} facts
   */
  constructor(summary, facts) {
    super(summary);
    this.name = "CheckFailure";
    this.expected = facts.expected;
    this.seen = facts.seen;
    this.details = facts.details ?? [];
    this.container = facts.container;
    this.data = facts.data;
  }
}

/**
 * @typedef {object} Deadline
 * @property {number} seconds
 * @property {() => number} remaining milliseconds left, never negative
 * @property {() => boolean} expired
 */

/**
 * @param {number} seconds
 * @returns {Deadline}
 */
function deadlineIn(seconds) {
  const end = Date.now() + seconds * 1000;
  return {
    seconds,
    remaining: () => Math.max(0, end - Date.now()),
    expired: () => Date.now() >= end,
  };
}

/** @param {string} line */
function progress(line) {
  process.stderr.write(`[check] ${line}\n`);
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `attempt` until it succeeds or the deadline passes (always at least once), pausing a little
 * longer each time. `attempt` returns `{ value }` on success or `{ retry: reason }`; it throws for
 * failures that waiting cannot fix. On timeout, `onTimeout(lastReason, attempts)` gives the error.
 * @template T
 * @param {Deadline} deadline
 * @param {() => Promise<{ value: T } | { retry: string }>} attempt
 * @param {(lastReason: string, attempts: number) => Error} onTimeout
 * @returns {Promise<T>}
 */
async function retryUntil(deadline, attempt, onTimeout) {
  let pause = RETRY_FIRST_MS;
  /** @type {string | undefined} */
  let announced;
  for (let attempts = 1; ; attempts++) {
    const outcome = await attempt();
    if ("value" in outcome) return outcome.value;
    if (deadline.expired()) throw onTimeout(outcome.retry, attempts);
    if (outcome.retry !== announced) progress(`not yet: ${outcome.retry}; retrying`);
    announced = outcome.retry;
    await sleep(Math.min(pause, deadline.remaining()));
    // No attempt in the last instant: it could not finish, and would hide the last real answer.
    if (deadline.expired()) throw onTimeout(outcome.retry, attempts);
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  }
}

/**
 * @typedef {object} DockerOutput
 * @property {number | null} code exit code (null when killed)
 * @property {string} stdout
 * @property {string} stderr
 * @property {boolean} timedOut
 */

/**
 * Runs the docker CLI with an argument array (no shell) and the inherited environment. Resolves
 * for any exit code; rejects only when the CLI cannot be started.
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
          timedOut,
        });
      },
    );
  });
}

/**
 * The time one docker call may take: what is left of the bound, within sensible limits.
 * @param {Deadline} deadline
 * @returns {number}
 */
function callTimeout(deadline) {
  return Math.min(DOCKER_CALL_MAX_MS, Math.max(DOCKER_CALL_MIN_MS, deadline.remaining()));
}

/**
 * What a failed docker call said, on one line.
 * @param {DockerOutput} out
 * @returns {string}
 */
function failureText(out) {
  return oneLine(out.stderr || out.stdout) || `exit code ${out.code}`;
}

/**
 * Waits until `docker inspect` says the container is running and (unless `healthy` is false) that
 * its healthcheck, if it has one, passes. Fails at once when it has stopped for good, and when the
 * bound passes.
 * @param {string} container
 * @param {Deadline} deadline
 * @param {{ healthy?: boolean }} [options] healthy: false to look inside a container whose health
 *   depends on the very link being checked (its env and /etc/hosts are there as soon as it runs)
 * @returns {Promise<void>}
 */
async function waitForContainer(container, deadline, { healthy = true } = {}) {
  const expected = healthy
    ? `container ${container} running (and healthy, if it has a healthcheck)`
    : `container ${container} running`;
  await retryUntil(
    deadline,
    async () => {
      const out = await docker(["inspect", "--format", "{{json .State}}", container], callTimeout(deadline));
      if (out.code !== 0) return { retry: `container ${container}: ${failureText(out)}` };
      const state = containerReadiness(out.stdout);
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
 * zero exit into a retry or a failure too.
 * @param {string} container
 * @param {string[]} command
 * @param {Deadline} deadline
 * @param {{ expected: string, accept?: (out: DockerOutput) => string | undefined }} how
 *   `accept` returns a reason to retry, or undefined to take the output
 * @returns {Promise<DockerOutput>}
 */
function execUntil(container, command, deadline, { expected, accept = () => undefined }) {
  const shown = command.join(" ");
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
 * Lines of docker output, trimmed, without empty ones.
 * @param {string} text
 * @returns {string[]}
 */
function outputLines(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * Swarm target: one running task container of `service` on this engine (the first by name), waited
 * for until it is running and healthy. The checks that look inside the app run there.
 * @param {string} service
 * @param {Deadline} deadline
 * @returns {Promise<string>}
 */
async function serviceContainer(service, deadline, { healthy = true } = {}) {
  /** @type {() => Promise<{ value: string } | { retry: string }>} */
  const attempt = async () => {
    const out = await docker(
      [
        "ps",
        "--filter",
        `label=com.docker.swarm.service.name=${service}`,
        "--filter",
        "status=running",
        "--format",
        "{{.Names}}",
      ],
      callTimeout(deadline),
    );
    if (out.code !== 0) return { retry: `service ${service}: ${failureText(out)}` };
    const [first] = outputLines(out.stdout).sort();
    return first === undefined ? { retry: `service ${service} has no running task here` } : { value: first };
  };
  const container = await retryUntil(
    deadline,
    attempt,
    (last, attempts) =>
      new CheckFailure(`no running task of service ${service} on this engine within ${deadline.seconds} s`, {
        expected: `a running task container of service ${service} on the engine the checks talk to`,
        seen: `${last} (after ${attempts} looks)`,
        data: { service },
      }),
  );
  await waitForContainer(container, deadline, { healthy });
  return container;
}

/**
 * Swarm target: the address on `network` of the running task of `service`, as swarm reports it
 * (`docker service ps` and `docker inspect --type task`), waited for until there is exactly one.
 * @param {string} service
 * @param {string} network
 * @param {Deadline} deadline
 * @returns {Promise<string>}
 */
function serviceAddress(service, network, deadline) {
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
 * What the env and hosts checks look into: a container by name, or (swarm target) a running task of
 * a service.
 * @typedef {{ container: string, service?: undefined } | { service: string, container?: undefined }} Target
 */

/**
 * An address the alias must resolve to, or (swarm target) that of a service's task on a network.
 * @typedef {string | { service: string, network: string }} ExpectedAddress
 */

/**
 * The container to look into, once it is ready.
 * @param {Target} target
 * @param {Deadline} deadline
 * @returns {Promise<string>}
 */
async function targetContainer(target, deadline) {
  // The env and /etc/hosts are there as soon as the container runs; its health may depend on the link.
  if (target.service !== undefined) return serviceContainer(target.service, deadline, { healthy: false });
  await waitForContainer(target.container, deadline, { healthy: false });
  return target.container;
}

/**
 * @param {ExpectedAddress} expected
 * @param {Deadline} deadline
 * @returns {Promise<string>}
 */
function resolveExpected(expected, deadline) {
  return typeof expected === "string"
    ? Promise.resolve(expected)
    : serviceAddress(expected.service, expected.network, deadline);
}

/**
 * A few link variables as a short phrase: the count and the `<A>_PORT` value when there is one.
 * @param {Record<string, string>} vars
 * @param {string} prefix
 * @returns {string}
 */
function describeVars(vars, prefix) {
  const count = Object.keys(vars).length;
  if (count === 0) return `no ${prefix}_* link variables`;
  const port = vars[`${prefix}_PORT`];
  return `${count} ${prefix}_* link variable${count === 1 ? "" : "s"}${port === undefined ? "" : `, ${prefix}_PORT=${port}`}`;
}

/**
 * env: the link variables `docker exec <container> env` shows for the alias, exactly as expected.
 * On the swarm target the container is a task of `service`, and there are none to see.
 * @param {{ target: Target, alias: string, mode: "legacy" | "network", expectedEnv: Record<string, string> }} s
 * @param {Deadline} deadline
 * @returns {Promise<CheckResult>}
 */
async function checkEnv({ target, alias, mode, expectedEnv }, deadline) {
  const prefix = linkEnvPrefix(alias);
  const expected = target.service
    ? `no ${prefix}_* link variables (${SWARM_NOTE})`
    : mode === "network"
      ? `no ${prefix}_* link variables (a network alias sets none)`
      : `exactly ${describeVars(expectedEnv, prefix)}`;
  const container = await targetContainer(target, deadline);
  const out = await execUntil(container, ["env"], deadline, { expected });
  const vars = parseEnv(out.stdout, alias);
  const differences = compareEnv(expectedEnv, vars);
  const data = target.service ? { container, vars, service: target.service } : { container, vars };
  if (differences.length > 0) {
    const lines = describeEnvDifferences(differences);
    throw new CheckFailure(`the ${prefix}_* link variables in container ${container} are not as expected`, {
      expected,
      seen: `${describeVars(vars, prefix)}; ${lines.length} differ${lines.length > 3 ? ", first" : ""}: ${lines.slice(0, 3).join("; ")}`,
      details: lines,
      container,
      data,
    });
  }
  const seen = target.service
    ? `no ${prefix}_* link variables in task ${container} (${SWARM_NOTE})`
    : mode === "network"
      ? `no ${prefix}_* link variables`
      : `${describeVars(vars, prefix)}, all as expected`;
  return { check: "env", ok: true, expected, seen, data };
}

/**
 * hosts: legacy mode wants exactly the expected /etc/hosts line for the alias; network mode wants
 * none, and the alias resolved (by Docker's DNS) to the expected address.
 * @param {{ target: Target, alias: string } & ({ mode: "legacy", expectedHosts: { ip: string, names: string[] } } | { mode: "network", expectedAddress: ExpectedAddress })} s
 * @param {Deadline} deadline
 * @returns {Promise<CheckResult>}
 */
async function checkHosts(s, deadline) {
  const { target, alias } = s;
  const expectedAddress = s.mode === "network" ? await resolveExpected(s.expectedAddress, deadline) : "";
  const expected =
    s.mode === "legacy"
      ? `one /etc/hosts line "${formatHostsLine(s.expectedHosts)}"`
      : `no /etc/hosts line for ${alias}; getent hosts ${alias} gives ${expectedAddress} ` +
        (target.service ? `(${SWARM_NOTE})` : "(network DNS)");
  const container = await targetContainer(target, deadline);
  const out = await execUntil(container, ["cat", "/etc/hosts"], deadline, { expected });
  const lines = parseHosts(out.stdout, alias);
  const shownLines = lines.length === 0 ? "none" : lines.map((l) => `"${formatHostsLine(l)}"`).join(", ");

  if (s.mode === "legacy") {
    const problems = compareHostsLines(s.expectedHosts, lines);
    const seen =
      lines.length === 0
        ? `no /etc/hosts line names ${alias}`
        : `${lines.length === 1 ? "/etc/hosts line" : `${lines.length} /etc/hosts lines:`} ${shownLines}`;
    if (problems.length > 0) {
      throw new CheckFailure(`/etc/hosts in container ${container} is not as expected for ${alias}`, {
        expected,
        seen,
        details: problems,
        container,
        data: { container, lines },
      });
    }
    return { check: "hosts", ok: true, expected, seen, data: { container, lines } };
  }

  if (lines.length > 0) {
    throw new CheckFailure(`/etc/hosts in container ${container} names ${alias}`, {
      expected,
      seen: `/etc/hosts names ${alias}: ${shownLines}`,
      details: ["a network alias is resolved by Docker's DNS; an /etc/hosts line means a link or extra host"],
      container,
      data: { container, lines },
    });
  }
  const resolved = await execUntil(container, ["getent", "hosts", alias], deadline, {
    expected,
    accept: (o) => (parseHostsRecords(o.stdout).length > 0 ? undefined : "no address"),
  });
  const addresses = parseHostsRecords(resolved.stdout).map((r) => r.ip);
  const address = addresses.includes(expectedAddress) ? expectedAddress : addresses[0];
  const seen =
    `no /etc/hosts line for ${alias}; getent hosts ${alias} gives ${addresses.join(", ")}` +
    (target.service ? ` in task ${container} (${SWARM_NOTE})` : "");
  const data = target.service
    ? { container, lines, address, service: target.service }
    : { container, lines, address };
  if (address !== expectedAddress) {
    throw new CheckFailure(`${alias} resolves to the wrong address in container ${container}`, {
      expected,
      seen,
      container,
      data,
    });
  }
  return { check: "hosts", ok: true, expected, seen, data };
}

/**
 * ping: `ping -c 1 -W 2 <alias>` from the probe gets an answer, from the expected address.
 * @param {{ container: string, alias: string, expectedAddress: ExpectedAddress }} s
 * @param {Deadline} deadline
 * @returns {Promise<CheckResult>}
 */
async function checkPing(s, deadline) {
  const { container, alias } = s;
  const expectedAddress = await resolveExpected(s.expectedAddress, deadline);
  const expected =
    `ping -c 1 ${alias} gets 1 reply from ${expectedAddress}` +
    (typeof s.expectedAddress === "string" ? "" : ` (service ${s.expectedAddress.service}'s task)`);
  await waitForContainer(container, deadline);
  const out = await execUntil(container, ["ping", "-c", "1", "-W", "2", alias], deadline, {
    expected,
    accept: (o) => ((parsePing(o.stdout).received ?? 0) >= 1 ? undefined : oneLine(o.stdout) || "no reply"),
  });
  const { transmitted, received, address } = parsePing(out.stdout);
  const seen = `${received} of ${transmitted} replies, ${alias} resolved to ${address ?? "(not shown)"}`;
  const data = { container, target: alias, transmitted, received, address: address ?? null };
  if (address !== expectedAddress) {
    throw new CheckFailure(`ping in container ${container} reached ${alias} at the wrong address`, {
      expected,
      seen,
      container,
      data,
    });
  }
  return { check: "ping", ok: true, expected, seen, data };
}

/**
 * @typedef {object} HttpAnswer
 * @property {number | null} status null when there was no answer
 * @property {string} body
 * @property {string | null} servedBy the X-Served-By header
 * @property {string} [error] why there was no answer
 */

/**
 * One GET with no connection reuse, answered (body included) within `timeoutMs`. Never rejects.
 * @param {URL} url
 * @param {number} timeoutMs
 * @returns {Promise<HttpAnswer>}
 */
function get(url, timeoutMs) {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    /** @param {HttpAnswer} answer */
    const finish = (answer) => {
      clearTimeout(timer);
      request.destroy();
      resolve(answer);
    };
    /** @param {string} error */
    const failed = (error) => finish({ status: null, body: "", servedBy: null, error });
    const timer = setTimeout(() => failed(`no answer within ${timeoutMs} ms`), timeoutMs);
    const request = client.get(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        if (body.length < 1024 * 1024) body += chunk;
      });
      res.on("end", () => {
        const header = res.headers["x-served-by"];
        finish({
          status: res.statusCode ?? null,
          body,
          servedBy: (Array.isArray(header) ? header.join(", ") : header) ?? null,
        });
      });
      res.on("error", (err) => failed(err.message));
    });
    request.on("error", (err) => {
      // Connection failures to a name with several addresses come as an AggregateError with no message.
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      failed(err.message || code || "error");
    });
  });
}

/**
 * @param {HttpAnswer} answer
 * @returns {string}
 */
function describeAnswer(answer) {
  if (answer.status === null) return answer.error ?? "no answer";
  const firstLine = oneLine(answer.body.split("\n", 1)[0], 80);
  return `HTTP ${answer.status}${firstLine ? ` "${firstLine}"` : ""}`;
}

/**
 * http: wait (bounded) until the app answers 200, then N sequential GETs must all be 200 with the
 * total going up by exactly one each time. With `minServers` (swarm target), at least that many
 * replicas (distinct X-Served-By values) must have answered them. A failure shows the logs of
 * `container` (the app), or of `source` (Redis) when the app never got ready because Redis did not.
 * @param {{ url: URL, requests: number, minServers?: number, container?: string, source?: string }} s
 * @param {Deadline} deadline
 * @returns {Promise<CheckResult>}
 */
async function checkHttp({ url, requests, minServers, container, source }, deadline) {
  const href = url.href;
  const expected =
    `${requests} GET${requests === 1 ? "" : "s"} to ${href}: all HTTP 200, Total requests up by one each time` +
    (minServers === undefined ? "" : `, answered by at least ${minServers} replicas`);
  try {
    await retryUntil(
      deadline,
      async () => {
        const answer = await get(
          url,
          Math.min(REQUEST_TIMEOUT_MS, Math.max(READY_ATTEMPT_MIN_MS, deadline.remaining())),
        );
        return answer.status === 200 ? { value: undefined } : { retry: `${href}: ${describeAnswer(answer)}` };
      },
      (last, attempts) =>
        new CheckFailure(`waited ${deadline.seconds} s for ${href} to answer HTTP 200`, {
          expected: `${href} answers HTTP 200 within ${deadline.seconds} s (it answers 503 until Redis is reachable)`,
          seen: `${last} (${attempts} attempts)`,
          container,
          data: { url: href, responses: [] },
        }),
    );
  } catch (err) {
    if (err instanceof CheckFailure && source !== undefined) await blameSource(source, err);
    throw err;
  }
  progress(`${href} answers 200; sending ${requests} requests`);

  /** @type {{ status: number | null, totalRequests: number | null, servedBy: string | null, error?: string }[]} */
  const responses = [];
  for (let i = 0; i < requests; i++) {
    const answer = await get(url, REQUEST_TIMEOUT_MS);
    responses.push({
      status: answer.status,
      totalRequests: parseTotalRequests(answer.body) ?? null,
      servedBy: answer.servedBy,
      ...(answer.error === undefined ? {} : { error: answer.error }),
    });
  }
  const statuses = responses.map((r) => (r.status === null ? `none (${r.error})` : String(r.status)));
  const totals = responses.map((r) => r.totalRequests);
  const servers = [...new Set(responses.map((r) => r.servedBy).filter((v) => v !== null))];
  const perServer = countServers(responses);
  const seen =
    `statuses ${statuses.join(", ")}; totals ${totals.map((t) => t ?? "none").join(", ")}` +
    (servers.length > 0 ? `; served by ${servers.join(", ")}` : "") +
    (minServers === undefined
      ? ""
      : ` (${servers.length} replica${servers.length === 1 ? "" : "s"}: ` +
        `${Object.entries(perServer)
          .map(([server, n]) => `${server} ${n}`)
          .join(", ")})`);
  const data =
    minServers === undefined
      ? { url: href, responses }
      : { url: href, responses, servers: perServer, minServers };
  const allOk = responses.every((r) => r.status === 200);
  const counted =
    totals.every((t) => t !== null) && isStrictlyIncreasingByOne(/** @type {number[]} */ (totals));
  if (!allOk || !counted) {
    const first = totals[0];
    const wanted =
      `statuses ${Array(requests).fill("200").join(", ")}; totals ` +
      (first === null ? "increasing by one" : consecutiveFrom(first, requests).join(", "));
    throw new CheckFailure(`the app at ${href} did not count ${requests} requests as expected`, {
      expected: `${expected} (${wanted})`,
      seen,
      container,
      data,
    });
  }
  if (minServers !== undefined && servers.length < minServers) {
    throw new CheckFailure(`only ${servers.length} replica(s) of the app at ${href} answered`, {
      expected,
      seen,
      details: [
        "each GET goes on a new connection, which the routing mesh (or the gateway) hands to the next replica",
      ],
      data,
    });
  }
  return { check: "http", ok: true, expected, seen, data };
}

/**
 * When the app never got ready, says so in terms of Redis if Redis is not healthy either (it
 * answers 503 until Redis is reachable); returns when Redis looks fine, so the app is blamed.
 * @param {string} source the Redis container
 * @param {CheckFailure} appFailure
 * @returns {Promise<void>}
 */
async function blameSource(source, appFailure) {
  const out = await docker(["inspect", "--format", "{{json .State}}", source], DOCKER_CALL_MIN_MS);
  const state = out.code === 0 ? containerReadiness(out.stdout) : undefined;
  if (state?.ready) return;
  throw new CheckFailure(`the app never answered 200, and Redis (container ${source}) is not ready`, {
    expected: `container ${source} running and healthy, then ${appFailure.expected}`,
    seen: `container ${source}: ${state ? state.describe : failureText(out)}; ${appFailure.seen}`,
    container: source,
    data: appFailure.data,
  });
}

/**
 * keys: `redis-cli -h <alias> --raw KEYS *` in the redis-cli container lists the app's keys.
 * @param {{ container: string, alias: string }} s
 * @param {Deadline} deadline
 * @returns {Promise<CheckResult>}
 */
async function checkKeys({ container, alias }, deadline) {
  const expected = `redis-cli -h ${alias} KEYS * lists ${REQUIRED_KEYS.join(" and ")}`;
  await waitForContainer(container, deadline);
  const out = await execUntil(container, ["redis-cli", "-h", alias, "--raw", "KEYS", "*"], deadline, {
    expected,
    accept: (o) => {
      const error = redisCliError(o.stdout, o.stderr);
      if (error?.permanent) {
        throw new CheckFailure(`redis-cli in container ${container} was refused by Redis`, {
          expected,
          seen: error.message,
          details: ["a password must be in the redis-cli container's environment as REDISCLI_AUTH"],
          container,
          data: { container, keys: [] },
        });
      }
      return error?.message;
    },
  });
  const keys = parseKeys(out.stdout);
  const shown = keys.length === 0 ? "no keys" : oneLine(keys.join(", "), 300);
  const seen = `KEYS * lists ${shown}`;
  const data = { container, keys };
  const missing = REQUIRED_KEYS.filter((k) => !keys.includes(k));
  if (missing.length > 0) {
    throw new CheckFailure(`Redis (via ${alias}) lacks ${missing.join(" and ")}`, {
      expected,
      seen,
      details: ["the app writes these keys on every request; the http check should have run first"],
      container,
      data,
    });
  }
  return { check: "keys", ok: true, expected, seen, data };
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} key
 * @returns {string}
 */
function required(env, key) {
  const value = env[key];
  if (value === undefined || value === "") throw new UsageError(`${key} is required`);
  return value;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} key
 * @returns {unknown}
 */
function requiredJson(env, key) {
  const text = required(env, key);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${key} is not valid JSON (${err instanceof Error ? err.message : err}): ${text}`);
  }
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {"legacy" | "network"}
 */
function modeFrom(env) {
  const mode = env.CHECK_MODE || "legacy";
  if (mode !== "legacy" && mode !== "network") {
    throw new UsageError(`CHECK_MODE must be legacy or network, got ${JSON.stringify(mode)}`);
  }
  return mode;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {Record<string, string>}
 */
function expectedEnvFrom(env) {
  const mode = modeFrom(env);
  if (mode === "network" && !env.CHECK_EXPECTED_ENV) return {};
  const value = requiredJson(env, "CHECK_EXPECTED_ENV");
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError("CHECK_EXPECTED_ENV must be a JSON object of variable names to values");
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string")
      throw new UsageError(`CHECK_EXPECTED_ENV: the value of ${key} must be a string`);
  }
  if (mode === "network" && Object.keys(value).length > 0) {
    throw new UsageError("CHECK_EXPECTED_ENV must be {} in network mode: a network alias sets no variables");
  }
  return /** @type {Record<string, string>} */ (value);
}

/**
 * CHECK_SERVICE (swarm target, network mode only) or CHECK_CONTAINER.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Target}
 */
function targetFrom(env) {
  if (!env.CHECK_SERVICE) return { container: required(env, "CHECK_CONTAINER") };
  if (env.CHECK_CONTAINER) throw new UsageError("give CHECK_SERVICE or CHECK_CONTAINER, not both");
  if (modeFrom(env) !== "network") {
    throw new UsageError("CHECK_SERVICE needs CHECK_MODE=network: swarm services have no legacy links");
  }
  return { service: env.CHECK_SERVICE };
}

/**
 * CHECK_EXPECTED_SERVICE with CHECK_NETWORK (swarm target), or CHECK_EXPECTED_ADDRESS.
 * @param {NodeJS.ProcessEnv} env
 * @returns {ExpectedAddress}
 */
function expectedAddressFrom(env) {
  if (!env.CHECK_EXPECTED_SERVICE) return required(env, "CHECK_EXPECTED_ADDRESS");
  if (env.CHECK_EXPECTED_ADDRESS) {
    throw new UsageError("give CHECK_EXPECTED_SERVICE or CHECK_EXPECTED_ADDRESS, not both");
  }
  return { service: env.CHECK_EXPECTED_SERVICE, network: required(env, "CHECK_NETWORK") };
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ ip: string, names: string[] }}
 */
function expectedHostsFrom(env) {
  const value = /** @type {{ ip?: unknown, names?: unknown } | null} */ (
    requiredJson(env, "CHECK_EXPECTED_HOSTS")
  );
  const names = value?.names;
  if (
    typeof value?.ip !== "string" ||
    !Array.isArray(names) ||
    names.length === 0 ||
    !names.every((n) => typeof n === "string")
  ) {
    throw new UsageError('CHECK_EXPECTED_HOSTS must be JSON {"ip": "<address>", "names": ["<alias>", ...]}');
  }
  return { ip: value.ip, names: /** @type {string[]} */ (names) };
}

/**
 * Reads the check's inputs from the environment and runs it.
 * @param {CheckName} check
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<CheckResult>}
 */
async function runCheck(check, env) {
  const timeoutText = env.CHECK_TIMEOUT_SECONDS || String(DEFAULT_TIMEOUT_SECONDS);
  const seconds = Number(timeoutText);
  if (!/^\d+(?:\.\d+)?$/.test(timeoutText) || !(seconds > 0)) {
    throw new UsageError(
      `CHECK_TIMEOUT_SECONDS must be a positive number, got ${JSON.stringify(timeoutText)}`,
    );
  }
  switch (check) {
    case "env": {
      const s = {
        target: targetFrom(env),
        alias: required(env, "CHECK_ALIAS"),
        mode: modeFrom(env),
        expectedEnv: expectedEnvFrom(env),
      };
      return checkEnv(s, deadlineIn(seconds));
    }
    case "hosts": {
      const target = targetFrom(env);
      const alias = required(env, "CHECK_ALIAS");
      const s =
        modeFrom(env) === "legacy"
          ? { target, alias, mode: /** @type {const} */ ("legacy"), expectedHosts: expectedHostsFrom(env) }
          : {
              target,
              alias,
              mode: /** @type {const} */ ("network"),
              expectedAddress: expectedAddressFrom(env),
            };
      return checkHosts(s, deadlineIn(seconds));
    }
    case "ping": {
      const s = {
        container: required(env, "CHECK_CONTAINER"),
        alias: required(env, "CHECK_ALIAS"),
        expectedAddress: expectedAddressFrom(env),
      };
      return checkPing(s, deadlineIn(seconds));
    }
    case "http": {
      const text = required(env, "CHECK_URL");
      /** @type {URL} */
      let url;
      try {
        url = new URL(text);
      } catch {
        throw new UsageError(`CHECK_URL is not a URL: ${JSON.stringify(text)}`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new UsageError(`CHECK_URL must be http:// or https://, got ${JSON.stringify(text)}`);
      }
      const requestsText = env.CHECK_REQUESTS || String(DEFAULT_REQUESTS);
      const requests = Number(requestsText);
      if (!/^\d+$/.test(requestsText) || requests < 1 || requests > 1000) {
        throw new UsageError(
          `CHECK_REQUESTS must be a whole number from 1 to 1000, got ${JSON.stringify(requestsText)}`,
        );
      }
      const around = {
        ...(env.CHECK_CONTAINER ? { container: env.CHECK_CONTAINER } : {}),
        ...(env.CHECK_SOURCE_CONTAINER ? { source: env.CHECK_SOURCE_CONTAINER } : {}),
      };
      const minServersText = env.CHECK_MIN_SERVERS;
      if (minServersText === undefined || minServersText === "") {
        return checkHttp({ url, requests, ...around }, deadlineIn(seconds));
      }
      const minServers = Number(minServersText);
      if (!/^\d+$/.test(minServersText) || minServers < 1 || minServers > requests) {
        throw new UsageError(
          `CHECK_MIN_SERVERS must be a whole number from 1 to CHECK_REQUESTS (${requests}), got ${JSON.stringify(minServersText)}`,
        );
      }
      return checkHttp({ url, requests, minServers, ...around }, deadlineIn(seconds));
    }
    case "keys": {
      const s = { container: required(env, "CHECK_CONTAINER"), alias: required(env, "CHECK_ALIAS") };
      return checkKeys(s, deadlineIn(seconds));
    }
  }
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
 * Runs `node checks/run.js <check>` and sets the exit code: 0 ok, 1 failed, 2 usage.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<void>}
 */
async function main(args, env) {
  const check = /** @type {CheckName} */ (args[0]);
  if (args.length !== 1 || !CHECKS.includes(check)) {
    const got = args.length === 0 ? "no check given" : `got ${args.map((a) => JSON.stringify(a)).join(" ")}`;
    process.stderr.write(`checks/run.js: ${got}\n${USAGE}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  try {
    const result = await runCheck(check, env);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`checks/run.js ${check}: ${err.message}\n${USAGE}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.exitCode = EXIT_FAILED;
    if (!(err instanceof CheckFailure)) {
      process.stderr.write(`check ${check} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return;
    }
    /** @type {CheckResult} */
    const result = { check, ok: false, expected: err.expected, seen: err.seen, data: err.data ?? null };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const lines = [
      `check ${check} failed: ${err.message}`,
      `  expected: ${err.expected}`,
      `  seen:     ${err.seen}`,
      ...err.details.map((d) => `  - ${d}`),
    ];
    if (err.container) lines.push(await recentLogs(err.container));
    process.stderr.write(`${lines.join("\n")}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).catch((err) => {
    process.stderr.write(`checks/run.js: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = EXIT_FAILED;
  });
}

module.exports = { CHECKS, main };
