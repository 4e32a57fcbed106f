// The real program (repository root) against the real engine, once per link mode, each on its own
// stack, container names, host port and subnet: up from nothing passes the tutorial's checks; the
// counter counts through the published port; the alias resolves to Redis's fixed address in the
// app and in redis-cli; the link variables are what Docker's `--link` gives (legacy) or absent
// (network); a second up and a preview change nothing; replacing redis-server re-links in the same
// up and keeps the data; destroy leaves nothing behind, the built app image included.
import { spawn } from "child_process";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import {
  BUDGET_MS,
  destroy,
  docker,
  engineVersion,
  httpGet,
  injectsLinkVars,
  leftovers,
  openStack,
  preview,
  REPO_ROOT,
  removeStack,
  toolchainEnv,
  uniqueName,
  up,
} from "./harness";
import { cliRedis } from "./program-stack";

const CHECK_REQUESTS = 3;

const MODES = [
  { linkMode: "legacy", appPort: 3101, subnet: "172.31.241.0/24", redisAddress: "172.31.241.10" },
  { linkMode: "network", appPort: 3102, subnet: "172.31.242.0/24", redisAddress: "172.31.242.10" },
] as const;

/** The parts of the `verification` output these tests read. */
interface Verification {
  http: { data: { responses: { status: number | null; totalRequests: number | null }[] } };
  [check: string]: unknown;
}

function outputValues(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/**
 * Docker's documented link variables for alias `redis` (prefix REDIS): REDIS_PORT..., REDIS_NAME
 * and REDIS_ENV_... (not the app's own REDIS_HOST or REDIS_PASSWORD_FILE).
 */
const LINK_VAR = /^REDIS_(PORT|NAME$|ENV_)/;

/** "KEY=value" lines (as `env` prints them) as an object, keeping only the link variables. */
function linkVarsOf(envOutput: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of envOutput.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0 && LINK_VAR.test(line.slice(0, eq))) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
}

/**
 * What `docker run --link <redis>:redis` gives a container named `parent`, written out from Docker's
 * documented format (docs: "Legacy container links", environment variables) for a source that
 * exposes only 6379/tcp at `ip` and whose environment is `sourceEnv` (HOME and PATH are left out).
 */
function documentedLinkVars(ip: string, parent: string, sourceEnv: string[]): Record<string, string> {
  const copied = sourceEnv
    .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)])
    .filter(([key]) => key !== "HOME" && key !== "PATH");
  return {
    REDIS_PORT: `tcp://${ip}:6379`,
    REDIS_PORT_6379_TCP: `tcp://${ip}:6379`,
    REDIS_PORT_6379_TCP_ADDR: ip,
    REDIS_PORT_6379_TCP_PORT: "6379",
    REDIS_PORT_6379_TCP_PROTO: "tcp",
    REDIS_NAME: `/${parent}/redis`,
    ...Object.fromEntries(copied.map(([key, value]) => [`REDIS_ENV_${key}`, value])),
  };
}

/** The /etc/hosts lines that list `alias` among their names, as "<ip>\t<names>" (single spaces). */
function hostsLinesNaming(hosts: string, alias: string): string[] {
  return hosts
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.slice(1).includes(alias))
    .map(([ip, ...names]) => `${ip}\t${names.join(" ")}`);
}

async function totalRequests(url: string): Promise<number> {
  const res = await httpGet(url);
  expect(res.status).toBe(200);
  const match = /^Total requests: (\d+)$/m.exec(res.body);
  if (!match) throw new Error(`no "Total requests: N" line in the answer of ${url}:\n${res.body}`);
  return Number(match[1]);
}

/** The fields of `docker inspect` these tests read. */
interface InspectedContainer {
  Id: string;
  Name: string;
  Image: string;
  Config: { Hostname: string; Env: string[] | null };
  State: { Running: boolean };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

async function inspectContainer(name: string): Promise<InspectedContainer> {
  return JSON.parse(await docker(["inspect", "--type", "container", name]))[0];
}

/** The ports an image exposes, as `docker image inspect` lists them (e.g. "6379/tcp"). */
async function exposedPorts(image: string): Promise<string[]> {
  const config = JSON.parse(
    await docker(["inspect", "--type", "image", "--format", "{{json .Config}}", image]),
  );
  return Object.keys(config.ExposedPorts ?? {});
}

/** A terminal attached to a container's console with `docker attach` (through `script`). */
interface AttachSession {
  /** Sends `keys` (again every half second) until the console has shown `pattern`; bounded. */
  untilShown(pattern: RegExp, keys: string): Promise<void>;
  send(keys: string): Promise<void>;
}

/** Runs `steps` in an attached terminal, then waits (bounded) for the detach; returns what it showed. */
function attachSession(container: string, steps: (session: AttachSession) => Promise<void>): Promise<string> {
  const child = spawn("script", ["-q", "-c", `docker attach ${container}`, "/dev/null"], {
    env: toolchainEnv(),
    stdio: ["pipe", "pipe", "inherit"],
  });
  let shown = "";
  child.stdout.on("data", (chunk: Buffer) => (shown += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const send = (keys: string) => new Promise<void>((resolve) => child.stdin.write(keys, () => resolve()));
  const session: AttachSession = {
    send,
    async untilShown(pattern, keys) {
      const deadline = Date.now() + 15_000;
      while (!pattern.test(shown)) {
        if (Date.now() > deadline)
          throw new Error(`the console never showed ${pattern}; it showed:\n${shown}`);
        await send(keys);
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 500))]);
      }
    },
  };
  const detachBound = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`docker attach did not detach; it showed:\n${shown}`)), 30_000).unref(),
  );
  return Promise.race([steps(session).then(() => exited), detachBound])
    .then(() => shown)
    .finally(() => child.kill());
}

describe.each(MODES)("the stack with linkMode $linkMode", ({ linkMode, appPort, subnet, redisAddress }) => {
  const legacy = linkMode === "legacy";
  const base = uniqueName(`stack-${linkMode}`);
  const alias = "redis";
  const names = {
    redisName: `${base}-redis`,
    appName: `${base}-App`,
    cliName: `${base}-cli`,
    probeName: `${base}-probe`,
    networkName: `${base}-net`,
    dataVolume: `${base}-data`,
  };
  const url = `http://127.0.0.1:${appPort}/`;
  const label = `stack ${linkMode}`;
  const upTimeout = BUDGET_MS.up + 30_000;

  let stack: Stack | undefined;
  let outputs: Record<string, unknown> = {};
  /** The last count the app reported through the published port. */
  let lastCount: number | undefined;

  /** The stack, or a clear failure when an earlier step did not bring it up. */
  const upStack = (): Stack => {
    if (!stack || Object.keys(outputs).length === 0) throw new Error(`the ${label} stack is not up`);
    return stack;
  };

  afterAll(
    async () => {
      if (stack) await removeStack(stack);
      // retainData is false, so destroy removes the volume; a failed run may still leave it.
      for (const leftover of await leftovers(base)) {
        if (leftover.startsWith("volume ")) await docker(["volume", "rm", leftover.slice("volume ".length)]);
      }
    },
    BUDGET_MS.destroy + BUDGET_MS.removeStack + 60_000,
  );

  test(
    "up from nothing passes the five checks",
    async () => {
      expect(await leftovers(base)).toEqual([]);
      stack = await openStack({
        workDir: REPO_ROOT,
        stackName: base,
        config: {
          linkMode,
          linkAlias: alias,
          ...names,
          networkSubnet: subnet,
          appPort: String(appPort),
          retainData: "false",
          checkRequests: String(CHECK_REQUESTS),
        },
      });
      const result = await up(stack, label);
      expect(result.summary.result).toBe("succeeded");
      outputs = outputValues(result.outputs);
      expect(outputs.redis).toMatchObject({ name: names.redisName, ip: redisAddress });
      expect(outputs.link).toMatchObject({ mode: linkMode, alias });
    },
    BUDGET_MS.openStack + upTimeout,
  );

  test("the counter increases by exactly one per request through the published port", async () => {
    upStack();
    const first = await totalRequests(url);
    const second = await totalRequests(url);
    expect(second).toBe(first + 1);
    lastCount = second;
  }, 30_000);

  test("the alias resolves to Redis's fixed address in the app and in redis-cli", async () => {
    upStack();
    for (const container of [names.appName, names.cliName]) {
      const resolved = await docker(["exec", container, "getent", "hosts", alias]);
      expect(resolved.split(/\s+/)[0]).toBe(redisAddress);
    }
    expect(await cliRedis(names.cliName, alias, "ping")).toBe("PONG");
  }, 60_000);

  test("docker attach to redis-cli gives a working prompt: KEYS * lists the app's keys", async () => {
    upStack();
    // `script` gives `docker attach` the terminal it needs; keystrokes go in on its stdin, each once
    // the screen shows what it answers: Enter until the prompt shows (attach may not be connected
    // yet), KEYS * until the keys show, then Ctrl-P Ctrl-Q detaches, leaving redis-cli running.
    const transcript = await attachSession(names.cliName, async (session) => {
      await session.untilShown(new RegExp(`${alias}:6379> `), "\r");
      await session.untilShown(/"requests"[\s\S]*:6379> |:6379> [\s\S]*"requests"[\s\S]*:6379> /, "KEYS *\r");
      await session.send("\x10\x11");
    });
    expect(transcript).toContain(`${alias}:6379> `);
    expect(transcript).toMatch(/"ip"/);
    expect(transcript).toMatch(/"requests"/);
    expect((await inspectContainer(names.cliName)).State.Running).toBe(true);
  }, 60_000);

  if (legacy) {
    test("the app's link variables and hosts line are what docker run --link gives (the variables: before Engine 29)", async () => {
      upStack();
      const seen = linkVarsOf(await docker(["exec", names.appName, "env"]));
      const redis = await inspectContainer(names.redisName);
      // The written-out format below is the one for a single exposed port, 6379/tcp.
      expect(await exposedPorts(redis.Image)).toEqual(["6379/tcp"]);
      expect(seen).toEqual(documentedLinkVars(redisAddress, names.appName, redis.Config.Env ?? []));
      expect(seen).toEqual((outputs.link as { env: unknown }).env);

      const hosts = await docker(["exec", names.appName, "cat", "/etc/hosts"]);
      const line = `${redisAddress}\t${alias} ${redis.Config.Hostname} ${names.redisName}`;
      expect(hostsLinesNaming(hosts, alias)).toEqual([line]);
      expect((outputs.link as { hosts: unknown }).hosts).toEqual([line]);

      // The oracle: a real --link to redis-server on the default bridge, where Redis has another
      // address. The documented format with that address and parent must be exactly what Docker
      // gave; from Engine 29 on Docker gives the hosts line only, and the stack's variables are its
      // alone (held to the documented format above).
      const oracleName = `${base}-oracle`;
      const bridgeIp = redis.NetworkSettings.Networks.bridge.IPAddress;
      const real = await docker([
        "run",
        "--rm",
        "--pull",
        "never",
        "--name",
        oracleName,
        "--link",
        `${names.redisName}:${alias}`,
        "busybox:1.38",
        "sh",
        "-c",
        "env; echo ---; cat /etc/hosts",
      ]);
      const [realEnv, realHosts] = real.split("\n---\n");
      expect(linkVarsOf(realEnv)).toEqual(
        injectsLinkVars((await engineVersion()).api)
          ? documentedLinkVars(bridgeIp, oracleName, redis.Config.Env ?? [])
          : {},
      );
      expect(hostsLinesNaming(realHosts, alias)).toEqual([
        `${bridgeIp}\t${alias} ${redis.Config.Hostname} ${names.redisName}`,
      ]);
    }, 60_000);
  } else {
    test("no link variables and no hosts line: the alias is a DNS name on the network", async () => {
      upStack();
      expect(linkVarsOf(await docker(["exec", names.appName, "env"]))).toEqual({});
      expect(hostsLinesNaming(await docker(["exec", names.appName, "cat", "/etc/hosts"]), alias)).toEqual([]);
      expect(outputs.link).toMatchObject({ env: {}, hosts: [] });
    }, 30_000);
  }

  test(
    "a second up and a preview change nothing",
    async () => {
      const s = upStack();
      const again = await up(s, label);
      expect(again.summary.result).toBe("succeeded");
      expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
      const previewed = await preview(s, label, { expectNoChanges: true });
      expect(Object.keys(previewed.changeSummary)).toEqual(["same"]);
    },
    upTimeout + BUDGET_MS.preview + 30_000,
  );

  test(
    "replacing redis-server re-links in the same up and keeps the count",
    async () => {
      const s = upStack();
      const before = await inspectContainer(names.redisName);
      const state = await s.exportStack();
      const resources = (
        state.deployment as { resources: { type: string; urn: string; outputs?: Record<string, unknown> }[] }
      ).resources;
      const redisUrns = resources
        .filter((r) => r.type === "docker:index/container:Container" && r.outputs?.name === names.redisName)
        .map((r) => r.urn);
      expect(redisUrns).toHaveLength(1);

      const result = await up(s, label, { replace: redisUrns });
      expect(result.summary.result).toBe("succeeded");
      outputs = outputValues(result.outputs);
      const verification = outputs.verification as Verification;

      const after = await inspectContainer(names.redisName);
      expect(after.Id).not.toBe(before.Id);
      expect(outputs.redis).toMatchObject({ id: after.Id, ip: redisAddress });
      if (legacy) {
        const hosts = await docker(["exec", names.appName, "cat", "/etc/hosts"]);
        expect(hostsLinesNaming(hosts, alias)).toEqual([
          `${redisAddress}\t${alias} ${after.Config.Hostname} ${names.redisName}`,
        ]);
      }
      // The check's requests carried on from the count before the replacement (AOF on the volume)
      // rather than starting again from 1, and ours follows on from the check's last one. (Not
      // lastCount + 1: the check's readiness GETs count too, and a slow one it gave up on may still
      // have been counted.)
      const counted = verification.http.data.responses.map((r) => r.totalRequests);
      expect(lastCount).toBeDefined();
      expect(counted[0]).toBeGreaterThan(lastCount!);
      expect(await totalRequests(url)).toBe(counted[counted.length - 1]! + 1);
    },
    upTimeout + 60_000,
  );

  test(
    "destroy removes the containers, the network, the volume and the built app image",
    async () => {
      const s = upStack();
      const result = await destroy(s, label);
      expect(result.summary.result).toBe("succeeded");
      expect(await leftovers(base)).toEqual([]);
      const repository = `container-links/${names.appName.toLowerCase()}`;
      expect(await docker(["images", "--format", "{{.Repository}}:{{.Tag}}", repository])).toBe("");
    },
    BUDGET_MS.destroy + 30_000,
  );
});
