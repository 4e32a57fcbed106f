// Process timings for the profile: how long each plugin takes to start, and, in one extra stack cycle
// run with bench/preload.js in every node process, when the program's process started, what its
// loading cost, and how long each check's process lived. The timed repetitions are not profiled.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { toolchainEnv } from "../harness";
import { now } from "./exec";
import { ProcessProfile } from "./results";
import { runStackPath, StackPathSettings } from "./stack";
import { summarize } from "./stats";

const START_TIMEOUT_MS = 30_000;

/** Milliseconds from launching a plugin until it printed its port (its first line), then stops it. */
function startOnce(binary: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(binary, [], { env: toolchainEnv(), stdio: ["ignore", "pipe", "ignore"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited before printing its port`));
    });
    child.stdout.once("data", () => {
      resolve(now() - start);
      clearTimeout(timer);
      child.removeAllListeners("close");
      child.kill("SIGKILL");
    });
  });
}

/** The language host and the resource plugins the stack uses, by name. */
function plugins(): Record<string, string> {
  const env = toolchainEnv();
  const home = path.join(env.PULUMI_HOME, "plugins");
  const found: Record<string, string> = {};
  const host = (env.PATH ?? "")
    .split(":")
    .map((dir) => path.join(dir, "pulumi-language-nodejs"))
    .find((p) => fs.existsSync(p));
  if (host) found["language host"] = host;
  for (const dir of fs.readdirSync(home)) {
    const m = /^resource-(docker|command)-v[\d.]+$/.exec(dir);
    if (m && fs.existsSync(path.join(home, dir, `pulumi-resource-${m[1]}`))) {
      found[m[1]] = path.join(home, dir, `pulumi-resource-${m[1]}`);
    }
  }
  return found;
}

interface ProcessRecord {
  argv: string[];
  check?: string;
  startedAt: number;
  loads: { module: string; startedAt: number; ms: number }[];
  exitedAt: number;
}

/** One profiled stack cycle (untimed) and the plugins' start times (median of `starts` each). */
export async function profileProcesses(
  stack: Stack,
  settings: StackPathSettings,
  starts: number,
): Promise<ProcessProfile> {
  const pluginStartMs: ProcessProfile["pluginStartMs"] = {};
  for (const [name, binary] of Object.entries(plugins())) {
    const times: number[] = [];
    for (let i = 0; i < starts; i++) times.push(await startOnce(binary));
    pluginStartMs[name] = summarize(times);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-profile-"));
  try {
    const preload = path.join(__dirname, "preload.js");
    const { up } = await runStackPath(stack, settings, {
      NODE_OPTIONS: `--require ${preload}`,
      BENCH_PROFILE_DIR: dir,
    });
    const records = fs
      .readdirSync(dir)
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as ProcessRecord)
      .filter((r) => r.startedAt >= up.startedAt && r.startedAt <= up.startedAt + up.ms)
      .sort((a, b) => a.startedAt - b.startedAt);
    const program = records.find((r) => r.loads.some((l) => l.module === "the program"));
    return {
      pluginStartMs,
      program: program
        ? {
            nodeStartMs: program.startedAt - up.startedAt,
            loads: program.loads.map(({ module, ms }) => ({ module, ms })).sort((a, b) => b.ms - a.ms),
          }
        : null,
      checks: records
        .filter((r) => r.check !== undefined)
        .map((r) => ({ check: r.check!, ms: r.exitedAt - r.startedAt })),
      others: records
        .filter((r) => r !== program && r.check === undefined)
        .map((r) => ({
          command: r.argv.length ? r.argv.map((a) => path.basename(a)).join(" ") : "node -e (inline script)",
          ms: r.exitedAt - r.startedAt,
        })),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
