// Nothing lost: the Redis data of the real program across replacement and destroy. One stack (legacy
// link mode) goes through: up; the data volume and AOF settings checked in the live Redis; every
// long-running container's restart policy; `up --replace` of redis-server (the count continues and
// every replaced container is gone before its successor is created); destroy with retainData true
// (the volume stays) and a new up that continues the count from it; then retainData false, where
// destroy removes the volume. The retained volume is removed at the end whatever happened.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { configDefault } from "../../lib/config";
import { BUDGET_MS, destroy, docker, leftovers, uniqueName, up } from "./harness";
import {
  checkTotals,
  CONTAINER_TYPE,
  countedGet,
  inspectContainer,
  opened,
  outputValues,
  openProgramStack,
  ProgramStack,
  REMOVE_BUDGET_MS,
  removeProgramStack,
  serverRedis,
  stateResources,
  totalBeforeChecks,
  urnOf,
  volumeExists,
} from "./program-stack";

const STACK_NAME = uniqueName("ops-data");
const LABEL = "data";
const PORT = 3141;
const SUBNET = "172.31.245.0/24";

let ps: ProgramStack | undefined;

beforeAll(async () => {
  ps = await openProgramStack(STACK_NAME, { linkMode: "legacy", port: PORT, subnet: SUBNET });
}, BUDGET_MS.openStack + 10_000);

afterAll(async () => {
  // Destroy keeps the data volume by design; removeProgramStack removes it too.
  expect(await removeProgramStack(STACK_NAME, ps)).toEqual([]);
}, REMOVE_BUDGET_MS);

/** `redis-cli CONFIG GET <parameter>` in the Redis container: the value Redis runs with. */
async function redisConfig(container: string, parameter: string): Promise<string> {
  const out = await serverRedis(container, "--raw", "CONFIG", "GET", parameter);
  const [name, value] = out.split("\n");
  expect(name).toBe(parameter);
  return value;
}

test(
  "up: Redis keeps its data on the named volume, with AOF and appendfsync everysec",
  async () => {
    const { stack, names } = opened(ps);
    const result = await up(stack, LABEL);
    expect(result.summary.result).toBe("succeeded");

    const redis = await inspectContainer(names.redis);
    expect(redis.Mounts).toEqual([
      expect.objectContaining({ Type: "volume", Name: names.volume, Destination: "/data" }),
    ]);
    expect(await redisConfig(names.redis, "appendonly")).toBe("yes");
    expect(await redisConfig(names.redis, "appendfsync")).toBe("everysec");
    expect(await redisConfig(names.redis, "dir")).toBe("/data");
    // The append-only files are there (Redis 7: a manifest plus base and incremental files).
    const aofFiles = await docker(["exec", names.redis, "ls", "/data/appendonlydir"]);
    expect(aofFiles).toMatch(/\.manifest$/m);
  },
  BUDGET_MS.up + 60_000,
);

test("every long-running container has a restart policy", async () => {
  const { stack, names } = opened(ps);
  const containers = (await stateResources(stack)).filter((r) => r.type === CONTAINER_TYPE);
  const containerNames = containers.map((r) => String(r.outputs?.name)).sort();
  expect(containerNames).toEqual([names.app, names.cli, names.probe, names.redis].sort());
  for (const name of containerNames) {
    const info = await inspectContainer(name);
    expect({ name, policy: info.HostConfig.RestartPolicy.Name }).toEqual({
      name,
      policy: expect.stringMatching(/^(always|unless-stopped|on-failure)$/),
    });
  }
}, 60_000);

test(
  "up --replace redis-server: the count continues, replaced containers go before their successors",
  async () => {
    const { stack, names, url } = opened(ps);
    const before = await countedGet(url);
    const oldRedis = await inspectContainer(names.redis);
    const redisUrn = await urnOf(stack, CONTAINER_TYPE, "redis-server");

    // Step ops per URN, in the order the engine started them.
    const ops = new Map<string, string[]>();
    const onEvent = (event: EngineEvent) => {
      const meta = event.resourcePreEvent?.metadata;
      if (meta) ops.set(meta.urn, [...(ops.get(meta.urn) ?? []), meta.op]);
    };
    const result = await up(stack, LABEL, { replace: [redisUrn], onEvent });
    expect(result.summary.result).toBe("succeeded");

    const newRedis = await inspectContainer(names.redis);
    expect(newRedis.Id).not.toBe(oldRedis.Id);
    // The checks re-ran against the new Redis and found the count where it was.
    expect(totalBeforeChecks(result)).toBe(before);
    const totals = checkTotals(result);
    expect(await countedGet(url)).toBe(totals[totals.length - 1] + 1);

    // Fixed names and ports: every replaced container was deleted before its replacement was created.
    const containerUrns = (await stateResources(stack))
      .filter((r) => r.type === CONTAINER_TYPE)
      .map((r) => r.urn);
    const replaced = containerUrns.filter((urn) => ops.get(urn)?.includes("create-replacement"));
    expect(replaced).toContain(redisUrn);
    for (const urn of replaced) {
      const seq = ops.get(urn) ?? [];
      expect({
        urn,
        deletedFirst: seq.indexOf("delete-replaced") < seq.indexOf("create-replacement"),
      }).toEqual({ urn, deletedFirst: true });
      expect(seq).toContain("delete-replaced");
    }
  },
  BUDGET_MS.up + 60_000,
);

test(
  "switching linkMode on the running stack, both ways: each up replaces what must change, in order; the count goes on",
  async () => {
    const { stack, url } = opened(ps);
    for (const linkMode of ["network", "legacy"]) {
      const before = await countedGet(url);
      await stack.setConfig("linkMode", { value: linkMode });
      const result = await up(stack, LABEL);
      expect(result.summary.result).toBe("succeeded");
      expect(outputValues(result).link).toMatchObject({ mode: linkMode });
      expect(totalBeforeChecks(result)).toBe(before);
    }
  },
  2 * BUDGET_MS.up + 60_000,
);

test(
  "destroy keeps the volume (retainData defaults to true); a new up continues the count from it",
  async () => {
    const { stack, names, url } = opened(ps);
    const before = await countedGet(url);

    const gone = await destroy(stack, LABEL);
    expect(gone.summary.result).toBe("succeeded");
    expect(await leftovers(STACK_NAME)).toEqual([`volume ${names.volume}`]);

    const result = await up(stack, LABEL);
    expect(result.summary.result).toBe("succeeded");
    expect(totalBeforeChecks(result)).toBe(before);
  },
  BUDGET_MS.destroy + BUDGET_MS.up + 60_000,
);

test(
  "a volume left by a Redis image whose user has another uid is taken over, its data kept",
  async () => {
    const { stack, names, url } = opened(ps);
    const before = await countedGet(url);
    const gone = await destroy(stack, LABEL);
    expect(gone.summary.result).toBe("succeeded");
    // As an older image (Debian's redis user, uid 100) would have left it.
    await docker([
      "run",
      "--rm",
      "-v",
      `${names.volume}:/data`,
      String(configDefault("probeImage")),
      "chown",
      "-R",
      "100:101",
      "/data",
    ]);
    const result = await up(stack, LABEL);
    expect(result.summary.result).toBe("succeeded");
    expect(totalBeforeChecks(result)).toBe(before);
  },
  BUDGET_MS.destroy + BUDGET_MS.up + 60_000,
);

test(
  "with retainData false, destroy removes the volume",
  async () => {
    const { stack, names } = opened(ps);
    await stack.setConfig("retainData", { value: "false" });
    const result = await up(stack, LABEL);
    expect(result.summary.result).toBe("succeeded");
    expect(await volumeExists(names.volume)).toBe(true);

    const gone = await destroy(stack, LABEL);
    expect(gone.summary.result).toBe("succeeded");
    expect(await volumeExists(names.volume)).toBe(false);
    expect(await leftovers(STACK_NAME)).toEqual([]);
  },
  BUDGET_MS.up + BUDGET_MS.destroy + 60_000,
);
