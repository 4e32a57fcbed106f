// The swarm target on three Docker engines (scripts/swarm-nodes.sh: one manager, two workers, each
// in a network namespace of its own with its own data, joined by a bridge), the stack pointed at the
// manager as at a remote machine (DOCKER_HOST=tcp://<manager>:2375). The app's replicas spread over
// the nodes and Redis stays on the manager by the stack's constraint; `npm run verify` passes; the
// counter goes up by exactly one per request whichever node answers. Then a worker fails (its link
// cut, every process of it killed): swarm gives the service all its replicas again on the nodes
// left, requests keep getting answers (the failed ones are counted and reported), the count stays
// exact, and the next `pulumi up` says what it changed. The worker comes back and rejoins. Then
// Redis's node fails (here the manager): nothing answers until it returns, measured; the next
// `pulumi up` makes again what Docker did not restart there. `pulumi destroy` leaves nothing on any
// node.
//
// Runs once, on the default engine (CI runs the other engines' integration tests with
// CONTAINER_LINKS_ENGINE set, where this is skipped), as root: network namespaces need it. The
// images come from the default engine (docker save | docker load keeps their IDs): the app image is
// built here and given as appImage, since a stack that builds app/ has it on the manager only.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import type { VerificationResults } from "../../components/Verification";
import {
  BUDGET_MS,
  destroy,
  docker,
  dockerBuild,
  lines,
  openStack,
  progress,
  removeStack,
  REPO_ROOT,
  toolchainEnv,
  uniqueName,
  up,
  waitFor,
} from "./harness";
import { Answer, freshGet } from "./fresh-get";
import { programConfig, programNames } from "./program-stack";

const say = progress("multinode");
const RUN_HERE = !process.env.CONTAINER_LINKS_ENGINE && process.getuid?.() === 0;
const describeHere = RUN_HERE ? describe : describe.skip;
if (!RUN_HERE) {
  say("skipped: runs once, as root, on the default engine (CONTAINER_LINKS_ENGINE is set, or not root)");
}

const NODES_SCRIPT = path.join(REPO_ROOT, "scripts", "swarm-nodes.sh");
const MANAGER_ADDRESS = "192.168.231.11";
const MANAGER_HOST = `tcp://${MANAGER_ADDRESS}:2375`;
const STACK_NAME = uniqueName("multinode");
const NAMES = programNames(STACK_NAME);
const PORT = 3191;
// Outside Docker's default local pools, as in swarm.test.ts: each node's docker_gwbridge takes one.
const SUBNET = "172.16.252.0/24";
const REPLICAS = 3;
const URL = `http://${MANAGER_ADDRESS}:${PORT}/`;
const APP_IMAGE = `${STACK_NAME}-app:1`;
const PUBLISH = fs.existsSync("/proc/sys/net/ipv4/vs") ? "ingress" : "gateway";
const LOAD_WORKERS = 4;
/** Swarm marks a node Down after missed heartbeats and then schedules its tasks elsewhere. */
const RECOVER_BUDGET_MS = 120_000;
const VERIFY_BUDGET_MS = 120_000;

let stack: Stack | undefined;
let nodesUp = false;
let builtAppImage = false;
/** The swarm node ID of each node (1 is the manager). */
const nodeIds = new Map<number, string>();

/** scripts/swarm-nodes.sh, bounded, its progress lines passed on. */
function nodes(args: string[], timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      NODES_SCRIPT,
      args,
      {
        cwd: REPO_ROOT,
        // Its progress lines count from its own start.
        env: { ...process.env, ...toolchainEnv(), SCRIPT_START: String(Math.floor(Date.now() / 1000)) },
        timeout: timeoutMs,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        // Its progress; `socket` and `env` print their answer instead.
        const answers = args[0] === "socket" || args[0] === "env";
        for (const line of lines(answers ? stderr : `${stdout}\n${stderr}`)) say(line);
        if (err) reject(new Error(`swarm-nodes.sh ${args.join(" ")}: ${err.message}\n${stderr}`));
        else resolve(stdout.trim());
      },
    ),
  );
}

/** The docker CLI against node n's own engine. */
async function onNode(n: number, args: string[]): Promise<string> {
  return docker(args, { host: await nodes(["socket", String(n)]) });
}

/** The docker CLI against the manager, as the stack talks to it. */
function onManager(args: string[]): Promise<string> {
  return docker(args, { host: MANAGER_HOST });
}

interface Task {
  ID: string;
  NodeID: string;
  DesiredState: string;
  Status: { State: string; ContainerStatus?: { ContainerID?: string } };
}

/** Every task of a service that the manager knows of. */
async function tasksOf(service: string): Promise<Task[]> {
  const ids = lines(await onManager(["service", "ps", "--quiet", "--no-trunc", service]));
  return ids.length === 0
    ? []
    : (JSON.parse(await onManager(["inspect", "--type", "task", ...ids])) as Task[]);
}

/** The running tasks that swarm wants running. */
async function runningTasks(service: string): Promise<Task[]> {
  return (await tasksOf(service)).filter((t) => t.DesiredState === "running" && t.Status.State === "running");
}

/** Node number of a swarm node ID. */
function nodeOf(id: string): number {
  for (const [n, nodeId] of nodeIds) if (nodeId === id) return n;
  throw new Error(`node ID ${id} is none of the three nodes (${[...nodeIds.values()].join(", ")})`);
}

/** Each node's status as the manager sees it, by node number. */
async function nodeStatuses(): Promise<Map<number, string>> {
  const rows = lines(await onManager(["node", "ls", "--format", "{{.ID}} {{.Status}}"]));
  return new Map(rows.map((row) => row.split(" ")).map(([id, status]) => [nodeOf(id), status]));
}

/** `count` GETs one after another. */
async function sequentialGets(count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await freshGet(URL));
  return answers;
}

/** Requests from LOAD_WORKERS clients, one after another each, until stopped. */
function startLoad(): { stop: () => Promise<Answer[]> } {
  const answers: Answer[] = [];
  let running = true;
  const workers = Array.from({ length: LOAD_WORKERS }, async () => {
    while (running) {
      const answer = await freshGet(URL);
      answers.push(answer);
      // A refused connection returns at once: do not spin on it.
      if (answer.status === null) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return answers;
    },
  };
}

/** The answers' totals, which must be consecutive integers. */
function expectCounted(answers: Answer[]): void {
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  const first = answers[0].total as number;
  expect(Number.isInteger(first)).toBe(true);
  expect(answers.map((a) => a.total)).toEqual(answers.map((_, i) => first + i));
}

/** The node of the app task that served each answer (X-Served-By is the task container's hostname). */
async function nodesServing(answers: Answer[]): Promise<Set<number>> {
  const byHostname = new Map(
    (await runningTasks(NAMES.app)).map((t) => [
      (t.Status.ContainerStatus?.ContainerID ?? "").slice(0, 12),
      t.NodeID,
    ]),
  );
  const served = new Set<number>();
  for (const a of answers) {
    const node = a.servedBy === null ? undefined : byHostname.get(a.servedBy);
    if (node !== undefined) served.add(nodeOf(node));
  }
  return served;
}

/** `npm run verify -- --stack <stack>` against the manager. */
function verify(): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, "scripts", "verify.js"), "--stack", STACK_NAME],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...toolchainEnv(), DOCKER_HOST: MANAGER_HOST, NO_COLOR: "1" },
        timeout: VERIFY_BUDGET_MS,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        // Its table goes to the log: the assertion names only the exit code.
        for (const line of lines(`${stdout}\n${stderr}`)) say(`verify: ${line}`);
        if (err && typeof err.code !== "number") reject(new Error(`verify: ${err.message}\n${stderr}`));
        else resolve({ code: err ? Number(err.code) : 0, output: `${stdout}\n${stderr}` });
      },
    ),
  );
}

function outputsOf(result: UpResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
}

/** What `pulumi up` did, by operation, leaving out what it left alone. */
function changes(result: UpResult): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0),
  ) as Record<string, number>;
}

/** The stack's objects on one node (containers, networks, volumes) and, on the manager, the swarm's. */
async function leftoversOn(n: number): Promise<string[]> {
  const kinds: [string, string[]][] = [
    ["container", ["ps", "-a", "--format", "{{.Names}}"]],
    ["network", ["network", "ls", "--format", "{{.Name}}"]],
    ["volume", ["volume", "ls", "--format", "{{.Name}}"]],
  ];
  if (n === 1) {
    kinds.push(
      ["service", ["service", "ls", "--format", "{{.Name}}"]],
      ["secret", ["secret", "ls", "--format", "{{.Name}}"]],
      ["config", ["config", "ls", "--format", "{{.Name}}"]],
    );
  }
  const found = await Promise.all(
    kinds.map(async ([kind, args]) =>
      lines(await onNode(n, args))
        .filter((name) => name.startsWith(STACK_NAME))
        .map((name) => `node ${n}: ${kind} ${name}`),
    ),
  );
  return found.flat();
}

/** The default images of Pulumi.yaml the stack runs (Redis, the gateway's Node, the probe). */
function defaultImage(key: "redisImage" | "nodeImage" | "probeImage"): string {
  const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { default: string }>;
  };
  return project.config[key].default;
}

beforeAll(async () => {
  if (!RUN_HERE) return;
  // From nothing: a run that was killed may have left nodes behind, one of them failed.
  await nodes(["down"]);
  await nodes(["up"]);
  nodesUp = true;
  for (const n of [1, 2, 3]) nodeIds.set(n, await onNode(n, ["info", "--format", "{{.Swarm.NodeID}}"]));
  say(`building the app image ${APP_IMAGE} on the default engine`);
  await dockerBuild([
    "--quiet",
    "--build-arg",
    `NODE_IMAGE=${defaultImage("nodeImage")}`,
    "--tag",
    APP_IMAGE,
    path.join(REPO_ROOT, "app"),
  ]);
  builtAppImage = true;
  // Redis, the gateway and the probe run on the manager only; the app on every node.
  await nodes([
    "load",
    "1",
    defaultImage("redisImage"),
    defaultImage("nodeImage"),
    defaultImage("probeImage"),
  ]);
  await nodes(["load", "all", APP_IMAGE]);
}, 600_000);

afterAll(async () => {
  if (!RUN_HERE) return;
  try {
    if (stack) await removeStack(stack);
  } finally {
    if (nodesUp) await nodes(["down"]).catch((e) => say(`${e}`));
    if (builtAppImage) await docker(["image", "rm", APP_IMAGE]).catch((e) => say(`${e}`));
  }
}, BUDGET_MS.removeStack + 240_000);

describeHere("the swarm target on three engines", () => {
  test(
    "up against the manager: replicas on at least two nodes, Redis on its volume's node by the stack's constraint",
    async () => {
      const statuses = await nodeStatuses();
      expect([...statuses.values()]).toEqual(["Ready", "Ready", "Ready"]);
      stack = await openStack({
        workDir: REPO_ROOT,
        stackName: STACK_NAME,
        env: { DOCKER_HOST: MANAGER_HOST },
        config: programConfig(NAMES, {
          linkMode: "network",
          port: PORT,
          subnet: SUBNET,
          extra: {
            target: "swarm",
            appReplicas: String(REPLICAS),
            appPublish: PUBLISH,
            appImage: APP_IMAGE,
            retainData: "false",
            readyTimeoutSeconds: "90",
          },
        }),
      });
      const result = await up(stack, "multinode up", { timeoutMs: 2 * BUDGET_MS.up });
      expect(result.summary.result).toBe("succeeded");
      const outputs = outputsOf(result);
      // The app's URL names the manager, where the port is published (DOCKER_HOST's host).
      expect(outputs.app).toMatchObject({ url: URL, replicas: REPLICAS });
      expect((outputs.verification as VerificationResults).http.spec).toMatchObject({ url: URL });

      const app = await runningTasks(NAMES.app);
      expect(app).toHaveLength(REPLICAS);
      const appNodes = new Set(app.map((t) => nodeOf(t.NodeID)));
      say(`app tasks on nodes ${[...appNodes].sort().join(", ")}`);
      expect(appNodes.size).toBeGreaterThanOrEqual(2);

      const [redis] = await runningTasks(NAMES.redis);
      expect(nodeOf(redis.NodeID)).toBe(1);
      const spec = JSON.parse(await onManager(["service", "inspect", NAMES.redis]))[0].Spec;
      expect(spec.TaskTemplate.Placement.Constraints).toEqual([`node.id==${nodeIds.get(1)}`]);
      // The volume is on the manager only: a local volume does not move between machines.
      expect(lines(await onNode(1, ["volume", "ls", "--format", "{{.Name}}"]))).toContain(NAMES.volume);
      for (const worker of [2, 3]) {
        expect(lines(await onNode(worker, ["volume", "ls", "--format", "{{.Name}}"]))).not.toContain(
          NAMES.volume,
        );
      }
      if (PUBLISH === "gateway") {
        const [gateway] = await runningTasks(`${NAMES.app}-gateway`);
        expect(nodeOf(gateway.NodeID)).toBe(1);
      }
    },
    2 * BUDGET_MS.up + 60_000,
  );

  test(
    "npm run verify passes; the counter goes up by exactly one per request, whichever node answers",
    async () => {
      const verified = await verify();
      expect({ code: verified.code, output: verified.output }).toMatchObject({ code: 0 });
      const answers = await sequentialGets(30);
      expectCounted(answers);
      const served = await nodesServing(answers);
      say(`30 requests answered by replicas on nodes ${[...served].sort().join(", ")}`);
      expect(served.size).toBeGreaterThanOrEqual(2);
    },
    VERIFY_BUDGET_MS + 60_000,
  );

  let failed = 0;

  test(
    "a worker fails: the service gets all its replicas back on the nodes left, requests keep being answered, the count stays exact",
    async () => {
      // A worker that runs an app task.
      const appNodes = (await runningTasks(NAMES.app)).map((t) => nodeOf(t.NodeID));
      failed = [2, 3].find((n) => appNodes.includes(n)) ?? 2;
      const load = startLoad();
      const failedAt = Date.now();
      await nodes(["fail", String(failed)]);
      const seconds = () => ((Date.now() - failedAt) / 1000).toFixed(1);
      await waitFor(
        async () => {
          const down = (await nodeStatuses()).get(failed) === "Down";
          const running = (await runningTasks(NAMES.app)).filter((t) => nodeOf(t.NodeID) !== failed);
          return down && running.length === REPLICAS;
        },
        {
          timeoutMs: RECOVER_BUDGET_MS,
          intervalMs: 500,
          what: `node ${failed} Down and ${REPLICAS} app tasks on the others`,
        },
      );
      say(`node ${failed} Down and ${REPLICAS} app tasks running on the nodes left after ${seconds()} s`);
      // Some more requests on the service as it is now, then the load stops.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const answers = await load.stop();
      const failures = answers.filter((a) => a.status !== 200);
      const reasons = [...new Set(failures.map((a) => a.error ?? `HTTP ${a.status}`))];
      say(
        `during the switch: ${answers.length} requests, ${failures.length} failed` +
          (reasons.length > 0 ? ` (${reasons.join("; ")})` : ""),
      );
      // Every answered request was counted once: no total twice.
      const totals = answers.filter((a) => a.status === 200).map((a) => a.total as number);
      expect(new Set(totals).size).toBe(totals.length);
      expect(answers.length - failures.length).toBeGreaterThan(0);

      const after = await sequentialGets(12);
      expectCounted(after);
      expect(after[0].total as number).toBeGreaterThan(Math.max(...totals));
      const served = await nodesServing(after);
      expect(served.has(failed)).toBe(false);
    },
    RECOVER_BUDGET_MS + 60_000,
  );

  test(
    "the next pulumi up reports no change or heals, and says which; the checks pass against the nodes left",
    async () => {
      const services = [NAMES.redis, NAMES.app];
      const specs = async () =>
        Promise.all(
          services.map(async (name) => {
            const [s] = JSON.parse(await onManager(["service", "inspect", name]));
            return { name, id: s.ID, version: s.Version.Index };
          }),
        );
      const before = await specs();
      const result = await up(stack as Stack, "multinode up after the loss", { timeoutMs: 2 * BUDGET_MS.up });
      expect(result.summary.result).toBe("succeeded");
      const changed = changes(result);
      say(
        Object.keys(changed).length === 0
          ? "pulumi up after losing a worker: no change"
          : `pulumi up after losing a worker: ${JSON.stringify(changed)} (the checks, which run again when the app's tasks change)`,
      );
      // Swarm itself put the replicas back: no service is made again or updated.
      expect(await specs()).toEqual(before);
      expect(changed.create ?? 0).toBe(0);
      expect(changed.delete ?? 0).toBe(0);
      const verified = await verify();
      expect({ code: verified.code, output: verified.output }).toMatchObject({ code: 0 });
    },
    2 * BUDGET_MS.up + VERIFY_BUDGET_MS,
  );

  test(
    "the worker comes back and rejoins",
    async () => {
      await nodes(["return", String(failed)]);
      await waitFor(async () => (await nodeStatuses()).get(failed) === "Ready", {
        timeoutMs: RECOVER_BUDGET_MS,
        intervalMs: 500,
        what: `node ${failed} Ready again`,
      });
      // What swarm replaced while it was gone does not run there again.
      await waitFor(
        async () =>
          lines(await onNode(failed, ["ps", "--quiet", "--filter", `name=${NAMES.app}`])).length === 0,
        {
          timeoutMs: RECOVER_BUDGET_MS,
          intervalMs: 500,
          what: `no old app task left running on node ${failed}`,
        },
      );
      const answers = await sequentialGets(6);
      expectCounted(answers);
    },
    2 * RECOVER_BUDGET_MS + 30_000,
  );

  test(
    "Redis's node fails: no request is answered until it returns; then the count goes on from where it was, and pulumi up heals what Docker did not restart",
    async () => {
      const [before] = await sequentialGets(1);
      expect(before.status).toBe(200);
      await nodes(["fail", "1"]);
      const [during] = await sequentialGets(1);
      expect(during.status).not.toBe(200);
      const returnedAt = Date.now();
      await nodes(["return", "1"]);
      const since = () => ((Date.now() - returnedAt) / 1000).toFixed(1);
      await waitFor(async () => (await runningTasks(NAMES.redis)).length === 1, {
        timeoutMs: RECOVER_BUDGET_MS,
        intervalMs: 500,
        what: "Redis's task running again",
      });
      say(`Redis's node back: its task runs again ${since()} s after its engine started`);
      // Requests sent since `before`: one that timed out on this side may still have been counted.
      let sent = 1;
      // What the requests got meanwhile, by status or error: where the wait is.
      const meanwhile = new Map<string, number>();
      const answer = await waitFor(
        async () => {
          sent++;
          const a = await freshGet(URL);
          const what = a.status === null ? (a.error ?? "no answer") : `HTTP ${a.status}`;
          if (a.status !== 200) meanwhile.set(what, (meanwhile.get(what) ?? 0) + 1);
          return a.status === 200 ? a : undefined;
        },
        {
          timeoutMs: RECOVER_BUDGET_MS,
          intervalMs: 500,
          what: "the app answering again after its node returned",
        },
      );
      say(
        `Redis's node back: the app answers again ${since()} s after its engine started (${sent} requests sent meanwhile: ${[...meanwhile].map(([what, n]) => `${n} x ${what}`).join(", ")})`,
      );
      // One answer says only that one replica is back: each reconnects to Redis on its own schedule.
      // The end state the checks look at is every running replica answering.
      let latest = answer as Answer;
      const answeredBy = new Set<string>(latest.servedBy === null ? [] : [latest.servedBy]);
      await waitFor(
        async () => {
          sent++;
          const a = await freshGet(URL);
          if (a.status === 200 && a.servedBy !== null) {
            answeredBy.add(a.servedBy);
            latest = a;
          }
          const running = (await runningTasks(NAMES.app)).map((t) =>
            (t.Status.ContainerStatus?.ContainerID ?? "").slice(0, 12),
          );
          return running.length === REPLICAS && running.every((id) => answeredBy.has(id)) ? true : undefined;
        },
        { timeoutMs: RECOVER_BUDGET_MS, intervalMs: 200, what: "every app replica answering 200" },
      );
      say(
        `Redis's node back: every replica answers ${since()} s after its engine started (${sent} requests sent)`,
      );
      if (PUBLISH === "gateway") {
        const format = "{{.Name}} {{.CurrentState}} {{.Error}}";
        const history = await onManager([
          "service",
          "ps",
          `${NAMES.app}-gateway`,
          "--no-trunc",
          "--format",
          format,
        ]);
        for (const line of lines(history)) say(`gateway task: ${line}`);
      }
      // Redis's data is on the node's volume, its AOF written before each answer: no count is lost,
      // and none is made up (at most one per request sent).
      const total = latest.total as number;
      expect(total).toBeGreaterThan(before.total as number);
      expect(total).toBeLessThanOrEqual((before.total as number) + sent);
      // The probe and redis-cli are plain containers on the manager, on the attachable overlay: as
      // its engine starts again, Docker may fail to restart them ("network ... not found"). Then
      // verify says so and names them, and the user's next `pulumi up` makes them again.
      const first = await verify();
      if (first.code !== 0) {
        const failed = lines(first.output).filter((l) => /^check \w+ failed: /.test(l));
        expect(failed.length).toBeGreaterThan(0);
        for (const line of failed)
          expect(line).toMatch(new RegExp(`container (${NAMES.probe}|${NAMES.cli}) has stopped`));
      }
      const result = await up(stack as Stack, "multinode up after Redis's node returned", {
        timeoutMs: 2 * BUDGET_MS.up,
      });
      expect(result.summary.result).toBe("succeeded");
      const changed = changes(result);
      say(
        `verify once every replica answered: ${first.code === 0 ? "ok" : "the stopped containers named"}; pulumi up then: ` +
          (Object.keys(changed).length === 0 ? "no change" : JSON.stringify(changed)),
      );
      const verified = await verify();
      expect({ code: verified.code, output: verified.output }).toMatchObject({ code: 0 });
    },
    3 * RECOVER_BUDGET_MS + 2 * BUDGET_MS.up + 2 * VERIFY_BUDGET_MS,
  );

  test(
    "destroy leaves no service, network, secret, config or container on any node",
    async () => {
      const result = await destroy(stack as Stack, "multinode destroy");
      expect(result.summary.result).toBe("succeeded");
      // A worker removes the overlay's local part once its last task is gone.
      await waitFor(
        async () => {
          const left = (await Promise.all([1, 2, 3].map(leftoversOn))).flat();
          return left.length === 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "nothing of the stack left on any node" },
      ).catch(async (e) => {
        throw new Error(`${e}: ${(await Promise.all([1, 2, 3].map(leftoversOn))).flat().join(", ")}`);
      });
    },
    BUDGET_MS.destroy + 90_000,
  );
});
