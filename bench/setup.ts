// What the parts of the bench share: bounded commands, a monotonic clock, the wait for the app's
// first 200, the images every path runs, and the removal of bench-* leftovers.
import { execFile } from "child_process";
import { performance } from "perf_hooks";
import { promisify } from "util";
import { APP_DIR, appImageTag, ENSURE_APP_IMAGE } from "../components/AppImage";
import { configDefault } from "../lib/config";
import { docker, httpGet, leftovers, toolchainEnv, waitFor } from "../harness";
import { Images } from "./results";

export type Say = (line: string) => void;

/** Milliseconds on the monotonic clock. */
export const now = (): number => performance.now();

/** Times a path's steps in order: `step(label, fn)` runs fn, records its milliseconds and returns its value. */
export function stepTimer(): {
  steps: Record<string, number>;
  step: <T>(label: string, fn: () => Promise<T>) => Promise<T>;
} {
  const steps: Record<string, number> = {};
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const begin = now();
    const value = await fn();
    steps[label] = now() - begin;
    return value;
  };
  return { steps, step };
}

/** A command's stdout (no shell, the toolchain's environment); killed after `timeoutMs`. */
export async function exec(command: string, args: string[], timeoutMs: number, env = {}): Promise<string> {
  const options = { timeout: timeoutMs, killSignal: "SIGKILL" as const, maxBuffer: 32 << 20 };
  const run = promisify(execFile);
  return (await run(command, args, { ...options, env: { ...toolchainEnv(), ...env } })).stdout;
}

/**
 * Resolves once the app's /healthz answers 200 through the published port: the same "first 200"
 * for every path. It answers once Redis answers PING and counts nothing, so polling it beside the
 * stack's own http check leaves that check's counter alone.
 */
export async function firstOk(port: number): Promise<void> {
  const url = `http://127.0.0.1:${port}/healthz`;
  const ok = async () => (await httpGet(url, 2_000)).status === 200;
  await waitFor(ok, { timeoutMs: 60_000, intervalMs: 50, what: `the app to answer 200 on ${url}` });
}

/** The stack's default images (Pulumi.yaml), for every path, and the app built once from app/. */
export async function prepareImages(say: Say): Promise<Images> {
  const [redis, node, probe] = ["redisImage", "nodeImage", "probeImage"].map((k) => String(configDefault(k)));
  for (const image of [redis, node, probe]) {
    await docker(["image", "inspect", image]).catch(() => {
      throw new Error(`image ${image} is missing: npm run bootstrap builds or pulls it`);
    });
  }
  // Built by the stack's own script and tagged as the stack tags it; the stack gets it as config.
  const app = appImageTag("bench-app", node);
  say(`app image ${app} (app/ on ${node}; built unless present)`);
  const env = { TAG: app, NODE_IMAGE: node, CONTEXT: APP_DIR, CREATE: "1" };
  const id = await exec("bash", ["-c", ENSURE_APP_IMAGE], 300_000, env);
  if (!id.trim()) throw new Error(`${app} was not built`);
  return { redis, node, probe, app };
}

/** `docker rm -f -v` of containers that may be gone already. */
export async function removeContainers(names: string[]): Promise<void> {
  await docker(["rm", "-f", "-v", ...names], { timeoutMs: 60_000 }).catch((e: Error) => {
    if (/error|timed out/i.test(e.message.replace(/^.*No such container.*$/gim, ""))) throw e;
  });
}

/** Removes containers, networks and volumes named bench-*; returns what is still there. */
export async function removeLeftovers(say: Say): Promise<string[]> {
  const left = await leftovers("bench-");
  if (left.length === 0) return [];
  say(`removing ${left.join(", ")}`);
  const named = (kind: string) =>
    left.flatMap((l) => (l.startsWith(`${kind} `) ? [l.slice(kind.length + 1)] : []));
  if (named("container").length > 0) await removeContainers(named("container"));
  for (const n of named("network")) await docker(["network", "rm", n]).catch(() => undefined);
  for (const v of named("volume")) await docker(["volume", "rm", v]).catch(() => undefined);
  return leftovers("bench-");
}
