// The raw CLI path: the tutorial's commands, one after the other, each timed: Redis, the linked app
// with its published port, the first 200, the three link probes, three requests, KEYS *, and
// `docker rm -f`. Every step's output is checked, so a broken run fails instead of looking fast.
import { isStrictlyIncreasingByOne } from "../checks/support/compare";
import { parseEnv, parseHosts, parseKeys, parsePing, parseTotalRequests } from "../checks/support/parse";
import { docker, httpGet } from "../harness";
import { linkVarPattern } from "../lib/links";
import { now } from "./exec";
import { RawRep, RawStepId } from "./results";
import { firstOk } from "./ready";

export interface RawPathSettings {
  images: { redis: string; app: string; probe: string };
  /** Host port the app is published on. */
  port: number;
  readyTimeoutMs: number;
}

/** The link alias, as in the tutorial. */
const ALIAS = "redis";
export const RAW_NAMES = {
  redis: "bench-redis-server",
  app: "bench-app",
  env: "bench-probe-env",
  hosts: "bench-probe-hosts",
  ping: "bench-probe-ping",
  cli: "bench-redis-cli",
} as const;
const LINK = `${RAW_NAMES.redis}:${ALIAS}`;
const REQUESTS = 3;
/** A `docker run` of a probe starts a container and waits for it: allow for a busy machine. */
const RUN_TIMEOUT_MS = 60_000;

/** A failed check of the raw path: what was expected and what the command printed. */
function fail(step: string, expected: string, seen: string): never {
  throw new Error(`raw path, ${step}: expected ${expected}, got: ${seen.trim() || "(nothing)"}`);
}

/** Runs the raw path once and returns its timings (milliseconds). */
export async function runRawPath(settings: RawPathSettings): Promise<RawRep> {
  const steps = {} as Record<RawStepId, number>;
  const step = async <T>(id: RawStepId, fn: () => Promise<T>): Promise<T> => {
    const start = now();
    const value = await fn();
    steps[id] = now() - start;
    return value;
  };
  const probe = (name: string, command: string[]) =>
    docker(["run", "--rm", "--name", name, "--link", LINK, settings.images.probe, ...command], {
      timeoutMs: RUN_TIMEOUT_MS,
    });
  const url = `http://127.0.0.1:${settings.port}/`;
  const start = now();

  await step("redis", () =>
    docker(["run", "-d", "--name", RAW_NAMES.redis, settings.images.redis], { timeoutMs: RUN_TIMEOUT_MS }),
  );
  await step("app", () =>
    docker(
      [
        "run",
        "-d",
        "--name",
        RAW_NAMES.app,
        "-p",
        `${settings.port}:3000`,
        "--link",
        LINK,
        settings.images.app,
      ],
      { timeoutMs: RUN_TIMEOUT_MS },
    ),
  );
  const upMs = now() - start;
  await step("ready", () => firstOk(settings.port, settings.readyTimeoutMs));
  const firstOkMs = now() - start;

  const envOut = await step("env", () => probe(RAW_NAMES.env, ["env"]));
  const vars = parseEnv(envOut, linkVarPattern(ALIAS));
  const ip = vars.REDIS_PORT_6379_TCP_ADDR;
  if (!ip || vars.REDIS_PORT !== `tcp://${ip}:6379` || vars.REDIS_NAME !== `/${RAW_NAMES.env}/${ALIAS}`) {
    fail(
      "env",
      `REDIS_PORT_6379_TCP_ADDR, REDIS_PORT=tcp://<ip>:6379, REDIS_NAME=/${RAW_NAMES.env}/${ALIAS}`,
      envOut,
    );
  }
  const hostsOut = await step("hosts", () => probe(RAW_NAMES.hosts, ["cat", "/etc/hosts"]));
  const lines = parseHosts(hostsOut, ALIAS);
  if (lines.length !== 1 || lines[0].ip !== ip) {
    fail("hosts", `one /etc/hosts line naming ${ALIAS} with ${ip}`, hostsOut);
  }
  const pingOut = await step("ping", () => probe(RAW_NAMES.ping, ["ping", "-c", "1", ALIAS]));
  const ping = parsePing(pingOut);
  if (ping.received !== 1 || ping.address !== ip) {
    fail("ping", `1 reply from ${ip}`, pingOut);
  }

  const totals = await step("requests", async () => {
    const seen: (number | undefined)[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const res = await httpGet(url, 5_000);
      if (res.status !== 200) {
        fail("requests", "HTTP 200", `HTTP ${res.status} ${res.body}`);
      }
      seen.push(parseTotalRequests(res.body));
    }
    return seen;
  });
  if (totals.some((t) => t === undefined) || !isStrictlyIncreasingByOne(totals as number[])) {
    fail("requests", "Total requests up by one each time", JSON.stringify(totals));
  }

  const keysOut = await step("keys", () =>
    docker(
      [
        "run",
        "--rm",
        "--name",
        RAW_NAMES.cli,
        "--link",
        LINK,
        settings.images.redis,
        "redis-cli",
        "-h",
        ALIAS,
        "KEYS",
        "*",
      ],
      { timeoutMs: RUN_TIMEOUT_MS },
    ),
  );
  const keys = parseKeys(keysOut);
  if (!keys.includes("ip") || !keys.includes("requests")) {
    fail("keys", "KEYS * to list ip and requests", keysOut);
  }
  const verifiedMs = now() - start;

  // -v: the redis image declares VOLUME /data; its anonymous volume goes with the container.
  await step("rm", () =>
    docker(["rm", "-f", "-v", RAW_NAMES.app, RAW_NAMES.redis], { timeoutMs: RUN_TIMEOUT_MS }),
  );
  return { steps, upMs, firstOkMs, verifiedMs, downMs: steps.rm, cycleMs: now() - start };
}
