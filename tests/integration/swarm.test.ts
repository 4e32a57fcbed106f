// The swarm target against the real engine, on a one-node swarm (set up here when the engine is not
// in swarm mode, and left again at the end): the program goes up with Redis as a one-replica service
// and the app as three replicas on an attachable overlay; requests through the published port reach
// several replicas and are each counted exactly once; a new app image rolls out one task at a time,
// start-first, while a bounded load sees no failed request; with redisAuth none an app of the
// tutorial's era (no password, no X-Served-By) passes every check; destroy leaves nothing behind.
//
// The kernel of this machine has no IPVS, so Docker's routing mesh (ingress publishing) cannot answer
// here; where /proc/sys/net/ipv4/vs exists the test publishes through the mesh (appPublish=ingress),
// elsewhere through the stack's gateway (appPublish=gateway). Each run says which one it exercised.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import type { VerificationResults } from "../../components/Verification";
import {
  BUDGET_MS,
  destroy,
  docker,
  dockerBuild,
  FIXTURES_DIR,
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
import { Answer, freshGet, REQUEST_TIMEOUT_MS } from "./fresh-get";
import { programConfig, programNames } from "./program-stack";

const STACK_NAME = uniqueName("swarm");
const PORT = 3181;
// Outside Docker's default local pools (172.17-172.31.0.0/16, 192.168.0.0/16 in /20s), which it
// hands out round robin: `swarm init` gives docker_gwbridge the next one, which in time is
// 172.31.0.0/16, and the stack then (rightly) refuses a subnet inside it.
const SUBNET = "172.16.251.0/24";
const REPLICAS = 3;
const NAMES = programNames(STACK_NAME);
const URL = `http://127.0.0.1:${PORT}/`;
const REQUESTS = 30;
const LOAD_WORKERS = 4;
const PUBLISH = fs.existsSync("/proc/sys/net/ipv4/vs") ? "ingress" : "gateway";
/** The states in which swarm reports a service update over. */
const UPDATE_OVER = ["completed", "paused", "rollback_completed", "rollback_paused"];
const say = progress("swarm");

let stack: Stack | undefined;
/** Whether this test put the engine into swarm mode (and so must take it out again). */
let initialisedSwarm = false;
/** Whether `docker swarm init` made the docker_gwbridge network here (leave keeps it). */
let createdGwBridge = false;
/** The app image the rolling update moves to, built here from the stack's own. */
let nextImage: string | undefined;
/** An app of the tutorial's era (fixtures/tutorial-app): no password, no X-Served-By. */
const TUTORIAL_IMAGE = `${uniqueName("swarm-tutorial-app")}:1`;
let builtTutorialImage = false;

interface Task {
  ID: string;
  Slot: number;
  DesiredState: string;
  Spec: { ContainerSpec: { Image: string } };
  Status: { State: string; ContainerStatus?: { ContainerID?: string } };
}

/** The fields of a `docker events` container event these tests read. */
interface ContainerEvent {
  Action: string;
  Actor: { Attributes: Record<string, string> };
  timeNano: number;
}

/** Every task of a service that swarm still knows of (running ones and its history). */
async function tasksOf(service: string): Promise<Task[]> {
  const ids = lines(await docker(["service", "ps", "--quiet", "--no-trunc", service]));
  return ids.length === 0 ? [] : (JSON.parse(await docker(["inspect", "--type", "task", ...ids])) as Task[]);
}

/** The hostnames (first 12 characters of the container ID) of a service's running tasks. */
async function runningHostnames(service: string): Promise<string[]> {
  return (await tasksOf(service))
    .filter((t) => t.Status.State === "running")
    .map((t) => (t.Status.ContainerStatus?.ContainerID ?? "").slice(0, 12))
    .sort();
}

/**
 * What of this stack is still in the engine: services, containers (tasks included), networks
 * (listed without a filter: `docker network ls --filter name=` leaves swarm-scoped networks out on
 * this engine), volumes, secrets and configs whose name starts with the stack name.
 */
async function swarmLeftovers(prefix: string): Promise<string[]> {
  const kinds: [string, string[]][] = [
    ["service", ["service", "ls", "--format", "{{.Name}}"]],
    ["container", ["ps", "-a", "--format", "{{.Names}}"]],
    ["network", ["network", "ls", "--format", "{{.Name}}"]],
    ["volume", ["volume", "ls", "--format", "{{.Name}}"]],
    ["secret", ["secret", "ls", "--format", "{{.Name}}"]],
    ["config", ["config", "ls", "--format", "{{.Name}}"]],
  ];
  const found = await Promise.all(
    kinds.map(async ([kind, args]) =>
      lines(await docker(args))
        .filter((name) => name.startsWith(prefix))
        .map((name) => `${kind} ${name}`),
    ),
  );
  return found.flat();
}

function outputsOf(result: { outputs: Record<string, { value: unknown }> }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
}

beforeAll(async () => {
  const state = await docker(["info", "--format", "{{.Swarm.LocalNodeState}}"]);
  if (state !== "active") {
    say(`engine swarm state "${state}": docker swarm init --advertise-addr 127.0.0.1`);
    const hadGwBridge = lines(await docker(["network", "ls", "--format", "{{.Name}}"])).includes(
      "docker_gwbridge",
    );
    await docker(["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    initialisedSwarm = true;
    createdGwBridge = !hadGwBridge;
  }
  say(`publishing through ${PUBLISH === "ingress" ? "the routing mesh" : "the gateway (no IPVS here)"}`);
}, BUDGET_MS.docker * 2);

afterAll(
  async () => {
    try {
      if (stack) await removeStack(stack);
    } finally {
      if (nextImage) await docker(["image", "rm", nextImage]).catch((e) => say(`${e}`));
      if (builtTutorialImage) await docker(["image", "rm", TUTORIAL_IMAGE]).catch((e) => say(`${e}`));
      if (initialisedSwarm) {
        say("leaving the swarm this test set up");
        await docker(["swarm", "leave", "--force"]);
        // The bridge swarm made for its containers' outside traffic stays after leave; it goes too
        // (Docker refuses while a container still uses it, and then it is left as it is).
        if (createdGwBridge) await docker(["network", "rm", "docker_gwbridge"]).catch((e) => say(`${e}`));
      }
    }
  },
  BUDGET_MS.destroy + BUDGET_MS.removeStack + BUDGET_MS.docker * 3,
);

describe("target swarm", () => {
  let verificationAfterUp: VerificationResults | undefined;

  test(
    "up: Redis and three app replicas as services on an attachable overlay; the checks pass",
    async () => {
      stack = await openStack({
        workDir: REPO_ROOT,
        stackName: STACK_NAME,
        config: programConfig(NAMES, {
          linkMode: "network",
          port: PORT,
          subnet: SUBNET,
          extra: {
            target: "swarm",
            appReplicas: String(REPLICAS),
            appPublish: PUBLISH,
            retainData: "false",
            readyTimeoutSeconds: "90",
            redisPassword: { value: `pw-${STACK_NAME}`, secret: true },
          },
        }),
      });
      const result = await up(stack, "swarm up");
      expect(result.summary.result).toBe("succeeded");
      const outputs = outputsOf(result);
      const verification = outputs.verification as VerificationResults;
      verificationAfterUp = verification;
      expect(verification.env.seen).toContain("swarm: DNS on the overlay, no link env vars");
      expect(verification.env.data.vars).toEqual({});
      expect(verification.hosts.data.lines).toEqual([]);
      expect(
        Object.keys(verification.http.data.servers as Record<string, number>).length,
      ).toBeGreaterThanOrEqual(2);
      expect(outputs.link).toMatchObject({ alias: "redis", env: {}, hosts: [] });
      expect(outputs.link).toMatchObject({ mode: "network" });
      expect(String((outputs.link as { note: string }).note)).toContain("swarm: DNS on the overlay");
      expect(outputs.app).toMatchObject({
        name: NAMES.app,
        replicas: REPLICAS,
        url: `http://localhost:${PORT}/`,
      });

      // The overlay: attachable, the configured subnet; the alias leads to Redis's task address.
      const network = JSON.parse(await docker(["network", "inspect", NAMES.network]))[0];
      expect(network).toMatchObject({ Driver: "overlay", Attachable: true, Scope: "swarm" });
      expect(network.IPAM.Config[0].Subnet).toBe(SUBNET);
      const [redisTask] = (await tasksOf(NAMES.redis)).filter((t) => t.Status.State === "running");
      expect(redisTask).toBeDefined();
      const redisService = JSON.parse(await docker(["service", "inspect", NAMES.redis]))[0];
      expect(redisService.Spec.Mode.Replicated.Replicas).toBe(1);
      expect(redisService.Spec.EndpointSpec.Mode).toBe("dnsrr");
      expect(redisService.Spec.TaskTemplate.Placement.Constraints).toEqual([
        `node.id==${await docker(["info", "--format", "{{.Swarm.NodeID}}"])}`,
      ]);
      expect(redisService.Spec.TaskTemplate.Networks[0].Aliases).toEqual(["redis"]);
      expect(redisService.Spec.TaskTemplate.ContainerSpec.Mounts).toEqual([
        expect.objectContaining({ Type: "volume", Source: NAMES.volume, Target: "/data" }),
      ]);
      // The password reaches Redis and the app as swarm secret files: `docker service inspect` of no
      // service and `docker inspect` of no container shows it.
      expect(redisService.Spec.TaskTemplate.ContainerSpec.Secrets).toHaveLength(1);
      const services = (await docker(["service", "ls", "--format", "{{.Name}}"]))
        .split("\n")
        .filter((n) => n.startsWith(STACK_NAME));
      expect(services.length).toBeGreaterThanOrEqual(2);
      for (const name of services) {
        expect({
          name,
          holds: (await docker(["service", "inspect", name])).includes(`pw-${STACK_NAME}`),
        }).toEqual({ name, holds: false });
      }
      const containers = (await docker(["ps", "--format", "{{.Names}}"]))
        .split("\n")
        .filter((n) => n.startsWith(STACK_NAME));
      for (const name of containers) {
        expect({ name, holds: (await docker(["inspect", name])).includes(`pw-${STACK_NAME}`) }).toEqual({
          name,
          holds: false,
        });
      }
      expect((outputs.redis as { ip: string }).ip).toBe(verification.ping.data.address);

      const appService = JSON.parse(await docker(["service", "inspect", NAMES.app]))[0];
      expect(appService.Spec.Mode.Replicated.Replicas).toBe(REPLICAS);
      expect(appService.Spec.UpdateConfig).toMatchObject({ Parallelism: 1, Order: "start-first" });
      expect(await runningHostnames(NAMES.app)).toHaveLength(REPLICAS);
    },
    BUDGET_MS.openStack + BUDGET_MS.up + 60_000,
  );

  test(
    `${REQUESTS} requests through the published port: several replicas answer, each request counted once`,
    async () => {
      const replicas = await runningHostnames(NAMES.app);
      const before = await freshGet(URL);
      expect(before.status).toBe(200);
      const answers: Answer[] = [];
      for (let i = 0; i < REQUESTS; i++) answers.push(await freshGet(URL));

      expect(answers.map((a) => a.status)).toEqual(Array(REQUESTS).fill(200));
      expect(answers.map((a) => a.total)).toEqual(
        Array.from({ length: REQUESTS }, (_, i) => (before.total as number) + 1 + i),
      );
      const servedBy = new Map<string, number>();
      for (const a of answers)
        servedBy.set(a.servedBy as string, (servedBy.get(a.servedBy as string) ?? 0) + 1);
      say(`${REQUESTS} requests served by ${[...servedBy].map(([h, n]) => `${h} ${n}`).join(", ")}`);
      expect(servedBy.size).toBeGreaterThanOrEqual(2);
      // Every answer came from one of the app's tasks.
      for (const host of servedBy.keys()) expect(replicas).toContain(host);
      const after = await freshGet(URL);
      expect(after.total).toBe((before.total as number) + REQUESTS + 1);
    },
    BUDGET_MS.docker + REQUESTS * REQUEST_TIMEOUT_MS,
  );

  test(
    "rolling update to a new image under load: one task at a time, start-first, no failed request",
    async () => {
      if (!stack) throw new Error("the stack did not come up");
      const appService = JSON.parse(await docker(["service", "inspect", NAMES.app]))[0];
      const currentImage: string = appService.Spec.TaskTemplate.ContainerSpec.Image;
      const oldHosts = await runningHostnames(NAMES.app);
      // A different image from the same app: a LABEL on top of the stack's build, built as the stack
      // builds (BuildKit where the CLI has it, which finds a local base image by its tag, not its
      // ID). Referenced by ID, as the stack's own build is, so the one-node swarm needs no registry.
      // The same build may carry other stacks' tags too (same sources, same base: the same image).
      const tags = JSON.parse(
        await docker(["image", "inspect", "--format", "{{json .RepoTags}}", currentImage]),
      ) as string[];
      const currentTag = tags.find((t) => t.startsWith(`container-links/${NAMES.app}:`));
      expect(currentTag).toBeDefined();
      nextImage = await dockerBuild(["--quiet", "--label", `it-swarm.build=${STACK_NAME}`, "-"], {
        stdin: `FROM ${currentTag}\n`,
      });
      expect(nextImage).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(nextImage).not.toBe(currentImage);
      await stack.setConfig("appImage", { value: nextImage });

      // The load: LOAD_WORKERS loops of fresh-connection GETs, every one of which must be answered
      // 200, from before `up` until swarm reports the service update over (bounded by the update's
      // budget). `up` returns once the provider has sent the new spec and enough tasks run; swarm
      // still reports the update in progress while it monitors the last new task (UpdateConfig
      // monitor), so the load and the watch go on until swarm's own end state. That `up` is
      // targeted at the app service, so the checks, which count requests exactly and would see the
      // load's too, run in a second `up` once the load has stopped.
      const appUrn = (await stack.exportStack()).deployment.resources.find(
        (r: { type: string; outputs?: { name?: string } }) =>
          r.type === "docker:index/service:Service" && r.outputs?.name === NAMES.app,
      )?.urn as string | undefined;
      if (!appUrn) throw new Error(`no docker:index/service:Service named ${NAMES.app} in the stack`);
      let stop = false;
      const loadDeadline = Date.now() + BUDGET_MS.up + 30_000;
      const results: Answer[] = [];
      const load = Promise.all(
        Array.from({ length: LOAD_WORKERS }, async () => {
          while (!stop && Date.now() < loadDeadline) results.push(await freshGet(URL));
        }),
      );
      const updateStates: string[] = [];
      let upReturned = false;
      // The engine keeps only its last 256 events (the healthchecks' exec events soon push the
      // update's out), so the app's container events are streamed from before the update.
      const containerEvents: string[] = [];
      const eventStream = spawn(
        "docker",
        [
          "events",
          "--since",
          String(Math.floor(Date.now() / 1000)),
          "--filter",
          "type=container",
          "--filter",
          `label=com.docker.swarm.service.name=${NAMES.app}`,
        ].concat(["--format", "{{json .}}"]),
        { env: toolchainEnv(), stdio: ["ignore", "pipe", "ignore"] },
      );
      eventStream.stdout.on("data", (chunk: Buffer) => containerEvents.push(chunk.toString("utf8")));
      const watch = (async () => {
        while (!stop && Date.now() < loadDeadline) {
          const status = await docker([
            "service",
            "inspect",
            "--format",
            "{{json .UpdateStatus}}",
            NAMES.app,
          ]);
          const state = (JSON.parse(status) as { State?: string } | null)?.State ?? "none";
          if (updateStates[updateStates.length - 1] !== state) updateStates.push(state);
          // An end state counts once this update has been seen under way, or `up` has returned.
          if (UPDATE_OVER.includes(state) && (updateStates.includes("updating") || upReturned)) return;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      let update;
      try {
        update = await up(stack, "swarm rolling update", { target: [appUrn] });
        upReturned = true;
        await watch;
      } finally {
        stop = true;
        await Promise.all([load, watch]);
        eventStream.kill();
      }
      say(`service update states seen during the load: ${updateStates.join(" -> ")}`);
      expect(updateStates).toContain("updating");
      expect(updateStates[updateStates.length - 1]).toBe("completed");
      expect(update.summary.result).toBe("succeeded");
      expect(update.summary.resourceChanges).toMatchObject({ update: 1 });
      // The checks re-run on the updated service (its revision changed) and pass: a failed check
      // fails the up, and a check that did not re-run would keep its earlier time.
      const checked = await up(stack, "swarm checks after the update");
      expect(checked.summary.result).toBe("succeeded");
      const rechecked = outputsOf(checked).verification as VerificationResults;
      expect(Date.parse(rechecked.http.checkedAt)).toBeGreaterThan(
        Date.parse(verificationAfterUp?.checkedAt ?? ""),
      );

      const failures = results.filter((r) => r.status !== 200);
      const served = new Map<string, number>();
      for (const r of results) if (r.servedBy) served.set(r.servedBy, (served.get(r.servedBy) ?? 0) + 1);
      say(
        `load during the update: ${results.length} requests, ${failures.length} failed; ` +
          `served by ${[...served].map(([h, n]) => `${h} ${n}`).join(", ")}`,
      );
      expect(failures).toEqual([]);
      expect(results.length).toBeGreaterThan(0);

      const service = JSON.parse(await docker(["service", "inspect", NAMES.app]))[0];
      expect(service.UpdateStatus.State).toBe("completed");
      expect(service.Spec.TaskTemplate.ContainerSpec.Image).toBe(nextImage);
      // An old task swarm has told to shut down may still be running a moment after the update is
      // over: wait (bounded) until only the new ones run.
      await waitFor(
        async () => {
          const running = (await tasksOf(NAMES.app)).filter((t) => t.Status.State === "running");
          return (
            running.length === REPLICAS && running.every((t) => t.Spec.ContainerSpec.Image === nextImage)
          );
        },
        { timeoutMs: 30_000, what: `only the ${REPLICAS} new tasks of ${NAMES.app} running` },
      );
      const tasks = await tasksOf(NAMES.app);
      const running = tasks.filter((t) => t.Status.State === "running");
      expect(running).toHaveLength(REPLICAS);
      expect(running.map((t) => t.Spec.ContainerSpec.Image)).toEqual(Array(REPLICAS).fill(nextImage));
      const newHosts = await runningHostnames(NAMES.app);
      // The load was answered by old replicas and by new ones.
      expect(oldHosts.some((h) => served.has(h))).toBe(true);
      expect(newHosts.some((h) => served.has(h))).toBe(true);

      // Per slot: the new task was ready (healthy) before the old one was stopped (start-first); and
      // each new task started only once the one before it was ready (one at a time). Read from the
      // engine's container events, whose times are when things happened (a task's status timestamp
      // moves whenever its agent reports it again, as it can under load).
      // Whole lines only: the stream was stopped wherever it was.
      const streamed = containerEvents.join("");
      const events = lines(streamed.slice(0, streamed.lastIndexOf("\n") + 1)).map(
        (line) => JSON.parse(line) as ContainerEvent,
      );
      const when = (taskId: string, actions: (action: string) => boolean): number | undefined =>
        events
          .filter((e) => e.Actor.Attributes["com.docker.swarm.task.id"] === taskId && actions(e.Action))
          .map((e) => e.timeNano / 1e6)
          .sort((a, b) => a - b)[0];
      const slots = running
        .map((t) => {
          const old = tasks.find(
            (o) =>
              o.Slot === t.Slot &&
              o.Spec.ContainerSpec.Image === currentImage &&
              o.DesiredState === "shutdown",
          );
          if (!old) throw new Error(`no replaced task in slot ${t.Slot}`);
          const started = when(t.ID, (a) => a === "start");
          const ready = when(t.ID, (a) => a === "health_status: healthy") ?? started;
          const oldStopped = when(old.ID, (a) => ["kill", "stop", "die"].includes(a));
          if (started === undefined || ready === undefined || oldStopped === undefined) {
            throw new Error(`no start, ready or stop event for slot ${t.Slot}: ${JSON.stringify(events)}`);
          }
          return { slot: t.Slot, started, ready, oldStopped };
        })
        .sort((a, b) => a.started - b.started);
      say(`slots in update order: ${slots.map((s) => s.slot).join(", ")}`);
      for (const s of slots) expect(s.ready).toBeLessThanOrEqual(s.oldStopped);
      for (let i = 1; i < slots.length; i++)
        expect(slots[i].started).toBeGreaterThanOrEqual(slots[i - 1].ready);
    },
    BUDGET_MS.docker * 3 + BUDGET_MS.up * 2 + 90_000,
  );

  test(
    "redisAuth none: an app of the tutorial's era (no password, names no replica) passes every check; and back",
    async () => {
      if (!stack) throw new Error("the stack did not come up");
      await dockerBuild(["--quiet", "--tag", TUTORIAL_IMAGE, path.join(FIXTURES_DIR, "tutorial-app")]);
      builtTutorialImage = true;
      await stack.removeConfig("redisPassword");
      await stack.setConfig("redisAuth", { value: "none" });
      await stack.setConfig("appImage", { value: TUTORIAL_IMAGE });
      const result = await up(stack, "swarm redisAuth none");
      expect(result.summary.result).toBe("succeeded");
      const outputs = outputsOf(result);
      expect(outputs.redis).toMatchObject({ auth: "none" });
      const verification = outputs.verification as VerificationResults;
      expect(verification.http.seen).toContain("replicas not counted: the app names none");
      // No secret is left for Redis or the app: nothing needs one.
      const secrets = lines(await docker(["secret", "ls", "--format", "{{.Name}}"]));
      expect(secrets.filter((name) => name.startsWith(STACK_NAME))).toEqual([]);
      // The app counts through Redis, one per request, whichever replica answers.
      const first = await freshGet(URL);
      const second = await freshGet(URL);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.total).toBe((first.total ?? NaN) + 1);

      // And back, as the warning says: with redisAuth removed Redis has a password again, and the
      // stack's own app (which logs in) counts on from the same data. (Going back first also spares
      // destroy the tutorial-era app, which ignores SIGTERM: docs/swarm.md.)
      await stack.removeConfig("redisAuth");
      await stack.removeConfig("appImage");
      const back = await up(stack, "swarm redisAuth back to password");
      expect(back.summary.result).toBe("succeeded");
      expect(outputsOf(back).redis).toMatchObject({ auth: "password" });
      const third = await freshGet(URL);
      expect(third.status).toBe(200);
      expect(third.total).toBeGreaterThan(second.total ?? NaN);
    },
    BUDGET_MS.docker * 2 + BUDGET_MS.up * 2 + 30_000,
  );

  test(
    "destroy leaves nothing: no service, container, network, volume, secret or config",
    async () => {
      if (!stack) throw new Error("the stack did not come up");
      const gone = await destroy(stack, "swarm destroy");
      expect(gone.summary.result).toBe("succeeded");
      // The services' old tasks (their history) are removed by swarm just after the services: wait
      // a bounded while for that, then nothing may be left.
      await waitFor(async () => (await swarmLeftovers(STACK_NAME)).length === 0, {
        timeoutMs: 30_000,
        what: `nothing of ${STACK_NAME} left in the engine`,
      }).catch(() => undefined);
      expect(await swarmLeftovers(STACK_NAME)).toEqual([]);
      // The app image the stack built is gone too (the test's own is removed in afterAll).
      const images = lines(await docker(["image", "ls", "--format", "{{.Repository}}"]));
      expect(images.filter((repo) => repo === `container-links/${NAMES.app}`)).toEqual([]);
      await removeStack(stack);
      expect((await stack.workspace.listStacks()).map((s) => s.name)).not.toContain(STACK_NAME);
    },
    BUDGET_MS.destroy + BUDGET_MS.removeStack + BUDGET_MS.docker * 2,
  );
});
