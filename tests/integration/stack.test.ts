// The real program (repository root) against the real engine, once per link mode, each on its own
// stack, container names, host port and subnet: up from nothing passes the tutorial's checks; the
// counter counts through the published port; the alias resolves to Redis's fixed address in the
// app and in redis-cli; the link variables are what Docker's `--link` gives (legacy) or absent
// (network); a second up and a preview change nothing; replacing redis-server re-links in the same
// up and keeps the data; destroy leaves nothing behind, the built app image included.
import { execFile } from "child_process";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { isLinkVar, LinkSource, linkEnvMap, parsePortSpec } from "../../lib/links";
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
  ok: boolean;
  http: { data: { responses: { status: number | null; totalRequests: number | null }[] } };
  [check: string]: unknown;
}

function outputValues(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** "KEY=value" lines (as `env` prints them) as an object, keeping only the alias's link variables. */
function linkVarsOf(envOutput: string, alias: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of envOutput.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0 && isLinkVar(alias, line.slice(0, eq))) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
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
  Config: { Hostname: string };
  State: { Running: boolean };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

interface InspectedImage {
  Config: { Env?: string[] | null; ExposedPorts?: Record<string, unknown> | null };
}

async function inspectContainer(name: string): Promise<InspectedContainer> {
  return JSON.parse(await docker(["inspect", "--type", "container", name]))[0];
}

async function inspectImage(name: string): Promise<InspectedImage> {
  return JSON.parse(await docker(["inspect", "--type", "image", name]))[0];
}

/** The Redis container as a link source, from `docker inspect` of it and of its image. */
async function inspectedSource(redisName: string, ip: string): Promise<LinkSource> {
  const redis = await inspectContainer(redisName);
  const image = await inspectImage(redis.Image);
  return {
    name: String(redis.Name).replace(/^\//, ""),
    id: redis.Id,
    hostname: redis.Config.Hostname,
    ip,
    exposedPorts: Object.keys(image.Config.ExposedPorts ?? {}).map(parsePortSpec),
    env: image.Config.Env ?? [],
  };
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
      const verification = outputs.verification as Verification;
      expect(verification.ok).toBe(true);
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
    // `script` gives `docker attach` the terminal it needs; keystrokes go in on its stdin, and
    // Ctrl-P Ctrl-Q detaches at the end, leaving redis-cli running.
    const keystrokes =
      "sleep 1; printf '\\r'; sleep 0.5; printf 'KEYS *\\r'; sleep 1.5; printf '\\020\\021'; sleep 0.5";
    const transcript = await new Promise<string>((resolve, reject) =>
      execFile(
        "bash",
        ["-c", `(${keystrokes}) | script -q -c "docker attach $1" /dev/null`, "attach", names.cliName],
        { timeout: 20_000, encoding: "utf8", env: toolchainEnv() },
        (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)),
      ),
    );
    expect(transcript).toContain(`${alias}:6379> `);
    expect(transcript).toMatch(/"ip"/);
    expect(transcript).toMatch(/"requests"/);
    expect((await inspectContainer(names.cliName)).State.Running).toBe(true);
  }, 60_000);

  if (legacy) {
    test("the app's link variables and hosts line are what docker run --link gives (the variables: before Engine 29)", async () => {
      upStack();
      const seen = linkVarsOf(await docker(["exec", names.appName, "env"]), alias);
      const source = await inspectedSource(names.redisName, redisAddress);
      expect(Object.keys(seen).length).toBeGreaterThan(0);
      expect(seen).toEqual((outputs.link as { env: unknown }).env);
      expect(seen).toEqual(linkEnvMap({ source, alias, parentName: names.appName }));

      const hosts = await docker(["exec", names.appName, "cat", "/etc/hosts"]);
      const line = `${redisAddress}\t${alias} ${source.hostname} ${names.redisName}`;
      expect(hostsLinesNaming(hosts, alias)).toEqual([line]);
      expect((outputs.link as { hosts: unknown }).hosts).toEqual([line]);

      // The oracle: a real --link to redis-server on the default bridge, where Redis has another
      // address. The same rules with that address and parent must give exactly what Docker gave; from
      // Engine 29 on Docker gives the hosts line only, and the stack's variables are its alone.
      const oracleName = `${base}-oracle`;
      const bridgeIp = (await inspectContainer(names.redisName)).NetworkSettings.Networks.bridge.IPAddress;
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
      expect(linkVarsOf(realEnv, alias)).toEqual(
        injectsLinkVars((await engineVersion()).api)
          ? linkEnvMap({ source: { ...source, ip: bridgeIp }, alias, parentName: oracleName })
          : {},
      );
      expect(hostsLinesNaming(realHosts, alias)).toEqual([
        `${bridgeIp}\t${alias} ${source.hostname} ${names.redisName}`,
      ]);
    }, 60_000);
  } else {
    test("no link variables and no hosts line: the alias is a DNS name on the network", async () => {
      upStack();
      expect(linkVarsOf(await docker(["exec", names.appName, "env"]), alias)).toEqual({});
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
      expect(verification.ok).toBe(true);

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
