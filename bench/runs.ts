// The measured phases of a bench run: the deploy cycle of the three paths, interleaved repetition
// by repetition (raw CLI, compose, stack) with one more profiled stack cycle after them, and the
// throughput pairs (the app, then the plain Node.js ceiling).
import { Stack } from "@pulumi/pulumi/automation";
import { runComposePath } from "./compose";
import { seconds } from "./format";
import { BenchOptions } from "./options";
import { profileProcesses } from "./profile";
import { runRawPath } from "./raw";
import {
  ComposeRep,
  CycleResults,
  ProcessProfile,
  RawRep,
  StackRep,
  summarizeCycle,
  summarizeThroughput,
  ThroughputRep,
  ThroughputResults,
} from "./results";
import { BenchImages } from "./setup";
import { openBenchStack, runStackPath, StackPathSettings } from "./stack";
import { runThroughputRep } from "./throughput";

/** Host ports 3171-3179 and subnet 172.31.250.0/24 are the bench's own. */
export const PORTS = { raw: 3171, stack: 3172, throughput: 3173, compose: 3174 };
const SUBNET = "172.31.250.0/24";
export const READY_TIMEOUT_MS = 60_000;
export const WARMUP_MAX_S = 2;
/** Starts of each plugin timed for the profile. */
const PLUGIN_STARTS = 5;

type Say = (line: string) => void;

/** What the clean-up has to remove. */
export interface Created {
  stack?: Stack;
  compose?: string[];
}

export async function runCycle(
  options: BenchOptions,
  images: BenchImages & { app: string },
  compose: { command: string[]; version: string } | null,
  created: Created,
  say: Say,
  stopIfInterrupted: () => void,
): Promise<{ cycle: CycleResults; process: ProcessProfile | null }> {
  const settings: StackPathSettings = {
    appImage: images.app,
    port: PORTS.stack,
    subnet: SUBNET,
    readyTimeoutMs: READY_TIMEOUT_MS,
  };
  created.stack = await openBenchStack(settings);
  say(
    `stack ${created.stack.name} (${SUBNET}, port ${PORTS.stack}); raw on ${PORTS.raw}, compose on ${PORTS.compose}`,
  );
  const raw: RawRep[] = [];
  const composed: ComposeRep[] = [];
  const stack: StackRep[] = [];
  for (let i = 1; i <= options.reps; i++) {
    const tag = `rep ${i}/${options.reps}`;
    stopIfInterrupted();
    const r = await runRawPath({ images, port: PORTS.raw, readyTimeoutMs: READY_TIMEOUT_MS });
    raw.push(r);
    say(
      `${tag} raw: first 200 ${seconds(r.firstOkMs)} s, verified ${seconds(r.verifiedMs)} s, cycle ${seconds(r.cycleMs)} s`,
    );
    stopIfInterrupted();
    if (compose) {
      created.compose = compose.command;
      const c = await runComposePath({
        command: compose.command,
        images,
        port: PORTS.compose,
        readyTimeoutMs: READY_TIMEOUT_MS,
      });
      composed.push(c);
      say(
        `${tag} compose: up ${seconds(c.upMs)} s, first 200 ${seconds(c.firstOkMs)} s, down ${seconds(c.downMs)} s`,
      );
    }
    stopIfInterrupted();
    const { rep: s } = await runStackPath(created.stack, settings);
    stack.push(s);
    say(
      `${tag} stack: up ${seconds(s.upMs)} s (first 200 ${seconds(s.firstOkMs)} s), no-op up ${seconds(s.noopUpMs)} s, ` +
        `destroy ${seconds(s.downMs)} s`,
    );
  }
  let process: ProcessProfile | null = null;
  if (options.profile) {
    stopIfInterrupted();
    say("profile: plugin starts, then one more stack cycle with process timings (untimed)");
    process = await profileProcesses(created.stack, settings, PLUGIN_STARTS);
  }
  const cycle = summarizeCycle(raw, compose ? { tool: compose.version, reps: composed } : null, stack);
  return { cycle, process };
}

export async function runThroughput(
  options: BenchOptions,
  images: BenchImages & { app: string },
  say: Say,
  stopIfInterrupted: () => void,
): Promise<ThroughputResults> {
  const reps: ThroughputRep[] = [];
  for (let i = 1; i <= options.reps; i++) {
    stopIfInterrupted();
    const settings = {
      images,
      port: PORTS.throughput,
      threads: options.threads,
      connections: options.connections,
      durationS: options.durationS,
      warmupS: Math.min(WARMUP_MAX_S, options.durationS),
      readyTimeoutMs: READY_TIMEOUT_MS,
      pinned: options.pin,
    };
    reps.push(await runThroughputRep(settings, (line) => say(`throughput ${i}/${options.reps} ${line}`)));
  }
  return summarizeThroughput(reps);
}
