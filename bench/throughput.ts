// App throughput: wrk against the counter app (Redis linked as in the tutorial), then against a
// plain Node.js server in the same base image (bench/ceiling.js), behind the same published port,
// each in fresh containers, warmed up first. The app's Redis counter is read before and after.
import * as path from "path";
import { docker } from "../harness";
import { Images, Load, ThroughputRep } from "./results";
import { counterProblems, parseWrk } from "./wrk";
import { exec, firstOk, removeContainers, Say } from "./setup";

export const WRK = { threads: 2, connections: 50, warmupS: 2 };
const PORT = 3173;
const URL = `http://127.0.0.1:${PORT}/`;
const REDIS = "bench-tp-redis";

async function wrk(seconds: number): Promise<Load> {
  const args = [`-t${WRK.threads}`, `-c${WRK.connections}`, `-d${seconds}s`, "--latency", URL];
  return parseWrk(await exec("wrk", args, (seconds + 60) * 1000));
}

/** wrk's version line: `wrk --version` prints it, then its usage, and exits 1. */
export async function wrkVersion(): Promise<string> {
  return (await exec("wrk", ["--version"], 30_000).catch((e: { stdout: string }) => e.stdout)).split("\n")[0];
}

/** The app's counter once it stops moving (two equal reads 200 ms apart): wrk's last requests landed. */
async function settledCounter(): Promise<number> {
  const read = async () => Number(await docker(["exec", REDIS, "redis-cli", "GET", "requests"]));
  for (let [last, tries] = [await read(), 0]; tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await read();
    if (next === last && Number.isInteger(next)) return next;
    last = next;
  }
  throw new Error("the app's counter did not stop moving within 10 s of wrk's end");
}

/**
 * Starts the containers (each `[name, ...docker run arguments]`), warms up, measures and removes
 * them; with `count`, also how far the app's counter rose over the measured run.
 */
async function measure(containers: string[][], durationS: number, count: boolean): Promise<[Load, number]> {
  try {
    for (const [name, ...args] of containers) {
      await docker(["run", "-d", "--name", name, ...args], { timeoutMs: 60_000 });
    }
    await firstOk(PORT); // the ceiling answers every path, /healthz too
    await wrk(Math.min(WRK.warmupS, durationS));
    const before = count ? await settledCounter() : 0;
    const load = await wrk(durationS);
    return [load, count ? (await settledCounter()) - before : 0];
  } finally {
    await removeContainers(containers.map(([name]) => name));
  }
}

/** One app run and one ceiling run, back to back. */
export async function runThroughputRep(images: Images, durationS: number, say: Say): Promise<ThroughputRep> {
  const published = ["-p", `${PORT}:3000`];
  const appContainers = [
    [REDIS, images.redis],
    ["bench-tp-app", ...published, "--link", `${REDIS}:redis`, images.app],
  ];
  const [load, counted] = await measure(appContainers, durationS, true);
  const app = { ...load, counted };
  const counter = counterProblems(app, WRK.connections).join("; ") || "ok";
  say(`app: ${load.requestsPerSec.toFixed(0)} requests/s; counter: ${counter}`);
  // The app's user; the script mounted read-only.
  const script = ["-v", `${path.join(__dirname, "ceiling.js")}:/srv/ceiling.js:ro`, "--user", "1000:1000"];
  const server = ["bench-tp-ceiling", ...published, ...script, images.node, "node", "/srv/ceiling.js"];
  const [ceiling] = await measure([server], durationS, false);
  if (ceiling.errors > 0) throw new Error(`the plain Node.js server had ${ceiling.errors} errors`);
  say(`ceiling: ${ceiling.requestsPerSec.toFixed(0)} requests/s`);
  return { app, ceiling };
}
