// App throughput: wrk against the counter app (Redis linked as in the tutorial) and against a plain
// Node.js server in the same base image (bench/ceiling.js), one after the other behind the same
// published port, each in fresh containers. The app's Redis counter is read before and after the
// measured run and checked against what wrk reports.
import * as path from "path";
import { docker, httpGet, waitFor } from "../harness";
import { exec, removeContainers } from "./exec";
import { ThroughputRep } from "./results";
import { checkCounter, parseWrk, WrkResult } from "./wrk";

export interface ThroughputSettings {
  images: { redis: string; app: string; node: string };
  port: number;
  threads: number;
  connections: number;
  durationS: number;
  warmupS: number;
  readyTimeoutMs: number;
  /** wrk on CPU 1, the containers on CPU 0, so they do not take turns on the same core. */
  pinned: boolean;
}

export const THROUGHPUT_NAMES = {
  redis: "bench-tp-redis",
  app: "bench-tp-app",
  ceiling: "bench-tp-ceiling",
} as const;
const CEILING_JS = path.join(__dirname, "ceiling.js");
const DOCKER_TIMEOUT_MS = 60_000;
/** After wrk stops, the requests it left in flight reach Redis within this. */
const SETTLE_TIMEOUT_MS = 10_000;

type Say = (line: string) => void;

const WRK_CPU = "1";
const CONTAINER_CPU = "0";

/** `docker run -d` options of a measured container: pinned to its CPU when asked. */
function placement(settings: ThroughputSettings): string[] {
  return settings.pinned ? ["--cpuset-cpus", CONTAINER_CPU] : [];
}

async function wrk(settings: ThroughputSettings, url: string, durationS: number): Promise<WrkResult> {
  const args = [`-t${settings.threads}`, `-c${settings.connections}`, `-d${durationS}s`, "--latency", url];
  const { stdout } = await exec(
    settings.pinned ? "taskset" : "wrk",
    settings.pinned ? ["--cpu-list", WRK_CPU, "wrk", ...args] : args,
    { timeoutMs: (durationS + 60) * 1000 },
  );
  return parseWrk(stdout);
}

async function answers200(url: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await httpGet(url, 2_000)).status === 200, {
    timeoutMs,
    intervalMs: 100,
    what: `${url} to answer 200`,
  });
}

async function readCounter(): Promise<number> {
  const out = await docker(["exec", THROUGHPUT_NAMES.redis, "redis-cli", "GET", "requests"]);
  if (!/^\d+$/.test(out)) {
    throw new Error(`redis-cli GET requests printed ${JSON.stringify(out)}, not a number`);
  }
  return Number(out);
}

/** The counter once it stopped moving (two equal reads 200 ms apart). */
async function settledCounter(): Promise<number> {
  let last = await readCounter();
  const settled = await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = await readCounter();
      const same = next === last;
      last = next;
      return same ? { value: next } : undefined;
    },
    { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 0, what: "the app's counter to stop moving after wrk" },
  );
  return settled!.value;
}

async function measureApp(settings: ThroughputSettings, say: Say): Promise<ThroughputRep["app"]> {
  const url = `http://127.0.0.1:${settings.port}/`;
  try {
    await docker(
      ["run", "-d", "--name", THROUGHPUT_NAMES.redis, ...placement(settings), settings.images.redis],
      {
        timeoutMs: DOCKER_TIMEOUT_MS,
      },
    );
    await docker(
      [
        "run",
        "-d",
        "--name",
        THROUGHPUT_NAMES.app,
        ...placement(settings),
        "-p",
        `${settings.port}:3000`,
        "--link",
        `${THROUGHPUT_NAMES.redis}:redis`,
        settings.images.app,
      ],
      { timeoutMs: DOCKER_TIMEOUT_MS },
    );
    await answers200(url, settings.readyTimeoutMs);
    await wrk(settings, url, settings.warmupS);
    const before = await settledCounter();
    say(`app: wrk ${settings.durationS}s at ${settings.connections} connections`);
    const result = await wrk(settings, url, settings.durationS);
    const after = await settledCounter();
    const counter = checkCounter(before, after, result, settings.connections);
    say(
      `app: ${result.requestsPerSec.toFixed(0)} requests/s, p99 ${result.latencyMs.p99.toFixed(1)} ms; counter ` +
        `+${counter.counted} for ${counter.completed} completed (${counter.inFlightAtStop} in flight at stop): ` +
        (counter.ok ? "ok" : counter.problems.join("; ")),
    );
    return { ...result, counter };
  } finally {
    await removeContainers([THROUGHPUT_NAMES.app, THROUGHPUT_NAMES.redis]);
  }
}

async function measureCeiling(settings: ThroughputSettings, say: Say): Promise<WrkResult> {
  const url = `http://127.0.0.1:${settings.port}/`;
  try {
    await docker(
      [
        "run",
        "-d",
        "--name",
        THROUGHPUT_NAMES.ceiling,
        ...placement(settings),
        "-p",
        `${settings.port}:3000`,
        // The app's user; the script is mounted read-only.
        "--user",
        "1000:1000",
        "-v",
        `${CEILING_JS}:/srv/ceiling.js:ro`,
        settings.images.node,
        "node",
        "/srv/ceiling.js",
      ],
      { timeoutMs: DOCKER_TIMEOUT_MS },
    );
    await answers200(url, settings.readyTimeoutMs);
    await wrk(settings, url, settings.warmupS);
    say(`ceiling: wrk ${settings.durationS}s at ${settings.connections} connections`);
    const result = await wrk(settings, url, settings.durationS);
    if (result.errorResponses > 0) {
      throw new Error(
        `the plain Node.js server answered ${result.errorResponses} requests with an error status`,
      );
    }
    say(`ceiling: ${result.requestsPerSec.toFixed(0)} requests/s, p99 ${result.latencyMs.p99.toFixed(1)} ms`);
    return result;
  } finally {
    await removeContainers([THROUGHPUT_NAMES.ceiling]);
  }
}

/** One app run and one ceiling run, in fresh containers. */
export async function runThroughputRep(settings: ThroughputSettings, say: Say): Promise<ThroughputRep> {
  const app = await measureApp(settings, say);
  const ceiling = await measureCeiling(settings, say);
  return { app, ceiling };
}
