// The stack path: the repository's own program on a bench stack with its own names, port and
// subnet, timed as a user runs it with the pinned CLI: `pulumi up --yes --skip-preview` (what
// `npm run up` runs; its checks are resources, and a failed check fails it, so its return is
// "verified"), a no-op `up` (with the refresh Pulumi.yaml asks for), and `destroy`. Each command's
// engine events are read from its --event-log as they arrive, for the timeline. The Automation API
// (harness/) only creates and removes the stack.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { docker, leftovers, openStack, REPO_ROOT, toolchainEnv, uniqueName } from "../harness";
import { now } from "./exec";
import { firstOk } from "./ready";
import { StackRep } from "./results";
import { summarizeTimeline, TimelineEvent } from "./timeline";

export interface StackPathSettings {
  /** The prebuilt app image (config appImage); the other images are the stack's defaults. */
  appImage: string;
  port: number;
  subnet: string;
  readyTimeoutMs: number;
}

/** Every name the bench stack gives a container, network or volume starts with this. */
export const STACK_PREFIX = "bench-s-";
const VOLUME = `${STACK_PREFIX}redis-data`;

/** Creates the bench stack (empty) with its config. */
export function openBenchStack(settings: StackPathSettings): Promise<Stack> {
  return openStack({
    workDir: REPO_ROOT,
    stackName: uniqueName("bench"),
    config: {
      redisName: `${STACK_PREFIX}redis-server`,
      appName: `${STACK_PREFIX}counter-app`,
      cliName: `${STACK_PREFIX}redis-cli`,
      probeName: `${STACK_PREFIX}link-probe`,
      networkName: `${STACK_PREFIX}net`,
      dataVolume: VOLUME,
      networkSubnet: settings.subnet,
      appPort: String(settings.port),
      // The image the other paths run: nothing is built inside the timed `up`.
      appImage: settings.appImage,
    },
  });
}

function timelineEvent(e: EngineEvent, ms: number): TimelineEvent | undefined {
  const step = (kind: "pre" | "outputs" | "failed", m: { urn: string; type: string; op: string }) => ({
    ms,
    kind,
    urn: m.urn,
    type: m.type,
    op: m.op,
  });
  if (e.preludeEvent) return { ms, kind: "prelude" };
  if (e.summaryEvent) return { ms, kind: "summary" };
  if (e.resourcePreEvent) return step("pre", e.resourcePreEvent.metadata);
  if (e.resOutputsEvent) return step("outputs", e.resOutputsEvent.metadata);
  if (e.resOpFailedEvent) return step("failed", e.resOpFailedEvent.metadata);
  return undefined;
}

/** Resource changes other than "same": empty when an operation changed nothing. */
function changes(map: Record<string, number | undefined> | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(map ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0),
  ) as Record<string, number>;
}

/** What one timed CLI command produced. */
export interface CliRun {
  /** When it was started (epoch milliseconds), to line up other processes' timings. */
  startedAt: number;
  ms: number;
  stdout: string;
  events: TimelineEvent[];
  summary?: EngineEvent["summaryEvent"];
}

const CLI_TIMEOUT_MS = 300_000;
const EVENT_POLL_MS = 20;

/**
 * Runs the pinned `pulumi` with the project's environment (bounded), stamping each engine event
 * of its --event-log with the time it appeared, since the command started.
 */
export function pulumi(args: string[], stackName: string, env: Record<string, string> = {}): Promise<CliRun> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-events-"));
  const logFile = path.join(logDir, "events.jsonl");
  const events: TimelineEvent[] = [];
  let summary: EngineEvent["summaryEvent"];
  let read = 0;
  let partial = "";
  const start = now();
  const startedAt = Date.now();
  const collect = () => {
    let text: string;
    try {
      const buffer = fs.readFileSync(logFile);
      text = buffer.subarray(read).toString("utf8");
      read = buffer.length;
    } catch {
      return; // not created yet
    }
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines.filter((l) => l.trim() !== "")) {
      const e = JSON.parse(line) as EngineEvent;
      if (e.summaryEvent) summary = e.summaryEvent;
      const event = timelineEvent(e, now() - start);
      if (event) events.push(event);
    }
  };
  const poller = setInterval(collect, EVENT_POLL_MS);
  return new Promise<CliRun>((resolve, reject) => {
    const child = spawn(
      "pulumi",
      [
        ...args,
        "--stack",
        stackName,
        "--non-interactive",
        ...(args[0] === "stack" ? [] : ["--event-log", logFile]),
      ],
      // --event-log is one of the CLI's debug flags (the Automation API enables them the same way).
      {
        cwd: REPO_ROOT,
        env: { ...toolchainEnv(), PULUMI_DEBUG_COMMANDS: "true", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CLI_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = now() - start;
      clearTimeout(timer);
      clearInterval(poller);
      collect();
      fs.rmSync(logDir, { recursive: true, force: true });
      if (code !== 0) {
        reject(
          new Error(`pulumi ${args.join(" ")} (stack ${stackName}) failed (${code}): ${stderr || stdout}`),
        );
        return;
      }
      resolve({ startedAt, ms, stdout, events, summary });
    });
  });
}

/** One cycle on an empty bench stack; leaves it empty again. `env` goes to every CLI command. */
export async function runStackPath(
  stack: Stack,
  settings: StackPathSettings,
  env: Record<string, string> = {},
): Promise<{ rep: StackRep; up: CliRun }> {
  const name = stack.name;
  const ready = firstOk(settings.port, settings.readyTimeoutMs).then(() => now());
  ready.catch(() => undefined); // awaited below; a failed up must not leave it unhandled
  const start = now();
  const first = await pulumi(["up", "--yes", "--skip-preview"], name, env);
  const firstOkAt = await ready;
  // Untimed: the up's checks already passed (a failed one fails the up); this only confirms it.
  const output = await pulumi(["stack", "output", "verification", "--json"], name);
  const verification = JSON.parse(output.stdout) as { ok?: boolean } | null;
  if (verification?.ok !== true) {
    throw new Error(`stack path: up did not end with verified outputs: ${output.stdout.trim()}`);
  }

  const second = await pulumi(["up", "--yes", "--skip-preview"], name, env);
  const gone = await pulumi(["destroy", "--yes", "--skip-preview"], name, env);
  // The data volume stays (retainData's default), as `npm run down` keeps it; it goes untimed.
  await docker(["volume", "rm", VOLUME]);
  const left = await leftovers(STACK_PREFIX);
  if (left.length > 0) {
    throw new Error(`stack path: destroy left ${left.join(", ")}`);
  }

  const rep: StackRep = {
    upMs: first.ms,
    firstOkMs: firstOkAt - start,
    downMs: gone.ms,
    cycleMs: first.ms + gone.ms,
    noopUpMs: second.ms,
    noopChanges: changes(second.summary?.resourceChanges),
    timelines: {
      up: summarizeTimeline(first.events, first.ms),
      noopUp: summarizeTimeline(second.events, second.ms),
      destroy: summarizeTimeline(gone.events, gone.ms),
    },
  };
  return { rep, up: first };
}
