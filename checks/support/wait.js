// @ts-check
// Waiting, bounded, for what a check looks at: a container that runs (and is the one the stack
// made), a swarm task, an address, or `docker exec` that answers.
const { CheckFailure } = require("./failure");
const { retryUntil } = require("./deadline");
const { callTimeout, docker, failureText, outputLines, shortId } = require("./docker");
const { containerReadiness, lostNodes, runningTaskAddresses, stoppingTasks } = require("./inspect");

/** @typedef {import("./deadline").Deadline} Deadline */
/** @typedef {import("./docker").DockerOutput} DockerOutput */
/** @typedef {import("../types").ContainerRef} ContainerRef */
/** @typedef {import("../types").Subject} Subject */
/** @typedef {import("../types").Address} Address */

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
 * @param {ExecHow} how
 * @returns {Promise<DockerOutput>}
 */
async function execUntil(container, command, deadline, how) {
  const { out } = await execPicked(async () => ({ value: container }), command, deadline, how);
  return out;
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
  const container = await retryUntil(
    deadline,
    () => runningTask(service, deadline),
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
 * `docker exec` in the subject (subjectContainer), retried as execUntil. A service's task is looked
 * for again on every later attempt: a rolling update replaces the task containers, and the one
 * found running may stop before the command runs in it.
 * @param {Subject} subject
 * @param {string[]} command
 * @param {Deadline} deadline
 * @param {ExecHow} how
 * @returns {Promise<{ container: string, out: DockerOutput }>}
 */
async function execInSubject(subject, command, deadline, how) {
  const found = await subjectContainer(subject, deadline);
  if (!("service" in subject))
    return { container: found, out: await execUntil(found, command, deadline, how) };
  let attempts = 0;
  const pick = () =>
    attempts++ === 0 ? Promise.resolve({ value: found }) : runningTask(subject.service, deadline);
  return execPicked(pick, command, deadline, how);
}

/**
 * @typedef {{ expected: string, shown?: string, accept?: (out: DockerOutput) => string | undefined }} ExecHow
 *   shown: the command as messages show it (default: the command itself)
 */

/**
 * The retry loop of execUntil and execInSubject: `pick` names the container of each attempt.
 * @param {() => Promise<{ value: string } | { retry: string }>} pick
 * @param {string[]} command
 * @param {Deadline} deadline
 * @param {ExecHow} how
 * @returns {Promise<{ container: string, out: DockerOutput }>}
 */
function execPicked(
  pick,
  command,
  deadline,
  { expected, shown = command.join(" "), accept = () => undefined },
) {
  /** @type {string | undefined} */
  let container;
  /** @type {() => Promise<{ value: { container: string, out: DockerOutput } } | { retry: string }>} */
  const attempt = async () => {
    const picked = await pick();
    if ("retry" in picked) return picked;
    const name = picked.value;
    container = name;
    const out = await docker(["exec", name, ...command], callTimeout(deadline));
    if (out.code !== 0 && /executable file not found|OCI runtime exec failed/i.test(out.stderr)) {
      throw new CheckFailure(`cannot run ${command[0]} in container ${name}`, {
        expected,
        seen: `${shown}: ${failureText(out)}`,
        container: name,
        data: { container: name },
      });
    }
    if (out.code !== 0) return { retry: `${shown}: ${failureText(out)}` };
    const reason = accept(out);
    return reason === undefined ? { value: { container: name, out } } : { retry: `${shown}: ${reason}` };
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
 * The first (by name) running task container of the service on this engine.
 * @param {string} service
 * @param {Deadline} deadline
 * @returns {Promise<{ value: string } | { retry: string }>}
 */
async function runningTask(service, deadline) {
  const out = await docker(
    ["ps", "--filter", `label=com.docker.swarm.service.name=${service}`, "--filter", "status=running"].concat(
      ["--format", "{{.Names}}"],
    ),
    callTimeout(deadline),
  );
  if (out.code !== 0) return { retry: `service ${service}: ${failureText(out)}` };
  const [first] = outputLines(out.stdout).sort();
  return first === undefined ? { retry: `service ${service} has no running task here` } : { value: first };
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
 * Waits, bounded, until no task that swarm is stopping still runs for the service (ServiceRef
 * checked as the stack's): after a rolling update the replaced task keeps answering until it has
 * stopped, which takes its whole stop grace period for an app that ignores SIGTERM. Tasks on a node
 * swarm has lost (a machine that failed) are not waited for.
 * @param {import("../types").ServiceRef} ref
 * @param {Deadline} deadline
 * @returns {Promise<void>}
 */
async function waitForReplacedTasks(ref, deadline) {
  const { service } = ref;
  await assertServiceIsTheStacks(ref, deadline);
  await retryUntil(
    deadline,
    async () => {
      const ps = await docker(
        ["service", "ps", "--quiet", "--no-trunc", "--filter", "desired-state=shutdown", service],
        callTimeout(deadline),
      );
      if (ps.code !== 0) return { retry: `service ${service}: ${failureText(ps)}` };
      const tasks = outputLines(ps.stdout);
      if (tasks.length === 0) return { value: undefined };
      const out = await docker(["inspect", "--type", "task", ...tasks], callTimeout(deadline));
      if (out.code !== 0) return { retry: `tasks of service ${service}: ${failureText(out)}` };
      if (stoppingTasks(out.stdout).length === 0) return { value: undefined };
      // A task on a node swarm has lost still shows "running" (its node's last report) until the
      // node returns; nothing reaches it meanwhile, so it is not waited for.
      const nodes = await docker(["node", "ls", "--format", "{{.ID}} {{.Status}}"], callTimeout(deadline));
      if (nodes.code !== 0) return { retry: `swarm nodes: ${failureText(nodes)}` };
      const stopping = stoppingTasks(out.stdout, lostNodes(nodes.stdout));
      if (stopping.length === 0) return { value: undefined };
      return {
        retry: `service ${service}: replaced task(s) still running: ${stopping.map(shortId).join(", ")}`,
      };
    },
    (last, attempts) =>
      new CheckFailure(`replaced tasks of service ${service} still ran after ${deadline.seconds} s`, {
        expected: `no task of service ${service} that swarm is stopping still running`,
        seen: `${last} (after ${attempts} looks)`,
        data: { service },
      }),
  );
}

module.exports = { execInSubject, execUntil, resolveAddress, waitForContainer, waitForReplacedTasks };
