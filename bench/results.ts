// What a bench run measured (what bench/results/*.json holds), and its summaries: medians of the
// interleaved repetitions and the ratios between the three paths, within this one run. Pure.
import { evaluateTargets, medianIndex, pairedRatios, ratio, summarize, Summary, TargetResult } from "./stats";
import { destroyPhases, Phase, TimelineSummary, upPhases } from "./timeline";
import { CounterCheck, WrkResult } from "./wrk";

/** The raw CLI path's steps, in order; each is timed on its own. */
export const RAW_STEPS = [
  { id: "redis", label: "docker run -d redis" },
  { id: "app", label: "docker run -d -p --link app" },
  { id: "ready", label: "wait for the first 200" },
  { id: "env", label: "docker run --link busybox env" },
  { id: "hosts", label: "... cat /etc/hosts" },
  { id: "ping", label: "... ping -c 1 redis" },
  { id: "requests", label: "three requests" },
  { id: "keys", label: "redis-cli -h redis KEYS *" },
  { id: "rm", label: "docker rm -f" },
] as const;

export type RawStepId = (typeof RAW_STEPS)[number]["id"];

/** What every path reports, in milliseconds from the start of its `up`. */
export interface CycleRep {
  /** The up command returned (raw: both `docker run -d`; compose: `up -d`; stack: `pulumi up`, checks included). */
  upMs: number;
  /** The app's health endpoint answered 200 through the published port. */
  firstOkMs: number;
  /** The teardown alone (raw: `docker rm -f`; compose: `down`; stack: `pulumi destroy`). */
  downMs: number;
  /** Up, whatever the path verifies, and down: start to finish. */
  cycleMs: number;
}

export interface RawRep extends CycleRep {
  steps: Record<RawStepId, number>;
  /** Up to the last of the tutorial's checks (KEYS *). */
  verifiedMs: number;
}

export type ComposeRep = CycleRep;

export interface StackRep extends CycleRep {
  /** A second `up` with nothing to change (its refresh included). */
  noopUpMs: number;
  /** The no-op up's resource changes other than "same" (empty: nothing changed). */
  noopChanges: Record<string, number>;
  timelines: { up: TimelineSummary; noopUp: TimelineSummary; destroy: TimelineSummary };
}

export interface PathSummary {
  up: Summary;
  firstOk: Summary;
  down: Summary;
  cycle: Summary;
}

export type Measure = keyof PathSummary;
export const MEASURES: Measure[] = ["up", "firstOk", "down", "cycle"];

export interface CycleResults {
  raw: { reps: RawRep[]; summary: PathSummary; verified: Summary; steps: Record<RawStepId, Summary> };
  /** null when no compose could be had. */
  compose: { tool: string; reps: ComposeRep[]; summary: PathSummary } | null;
  stack: { reps: StackRep[]; summary: PathSummary; noopUp: Summary };
  /** Ratios of the medians: stack over raw, stack over compose, compose over raw. */
  ratios: {
    stackVsRaw: Record<Measure, number>;
    stackVsCompose: Record<Measure, number> | null;
    composeVsRaw: Record<Measure, number> | null;
    /** The no-op up over the raw path's up-to-verified. */
    noopUp: number;
    /** The full cycle's ratio in each repetition (stack / raw), for its spread. */
    cyclePairs: number[];
  };
  /** Index into stack.reps of the run whose full cycle is the median (its timelines are shown). */
  medianRep: number;
}

export interface ThroughputRep {
  app: WrkResult & { counter: CounterCheck };
  ceiling: WrkResult;
}

export interface ThroughputResults {
  reps: ThroughputRep[];
  app: { requestsPerSec: Summary; p99Ms: Summary };
  ceiling: { requestsPerSec: Summary; p99Ms: Summary };
  /** App requests/s over the ceiling's (medians). */
  ratio: number;
  /** App over ceiling in each pair (run back to back): their spread is the figure's steadiness. */
  pairRatios: Summary;
  p99Ratio: number;
  counterOk: boolean;
}

/** Process timings of one profiled stack cycle (bench/profile.ts). */
export interface ProcessProfile {
  /** Each plugin's start: launched until it printed its port (median of several starts). */
  pluginStartMs: Record<string, Summary>;
  /** The program's node process, milliseconds since `pulumi up` was started. */
  program: {
    nodeStartMs: number;
    /** Modules whose loading took longest (TypeScript, the SDKs, the program itself). */
    loads: { module: string; ms: number }[];
  } | null;
  /** Each check's node process: started until it exited. */
  checks: { check: string; ms: number }[];
  /** The other node processes of the up (the language host's own helpers): started until exited. */
  others: { command: string; ms: number }[];
}

export interface Profile {
  stack: { up: Phase[]; noopUp: Phase[]; destroy: Phase[] };
  raw: Phase[];
  compose: Phase[] | null;
  process: ProcessProfile | null;
}

export interface BenchResults {
  schema: 2;
  startedAt: string;
  finishedAt: string;
  machine: {
    hostname: string;
    cpus: number;
    cpuModel: string;
    /** 1-minute load average when the bench started and when it finished. */
    load: { start: number; end: number };
    node: string;
    docker: string;
    pulumi: string;
    wrk: string | null;
  };
  settings: {
    reps: number;
    images: { redis: string; app: string; probe: string; node: string };
    ports: { raw: number; compose: number; stack: number; throughput: number };
    stackName: string | null;
    wrk: { threads: number; connections: number; durationS: number; warmupS: number; pinned: boolean };
  };
  cycle: CycleResults | null;
  profile: Profile | null;
  throughput: ThroughputResults | null;
  targets: TargetResult[];
}

function summarizePath(reps: readonly CycleRep[]): PathSummary {
  return {
    up: summarize(reps.map((r) => r.upMs)),
    firstOk: summarize(reps.map((r) => r.firstOkMs)),
    down: summarize(reps.map((r) => r.downMs)),
    cycle: summarize(reps.map((r) => r.cycleMs)),
  };
}

function ratios(a: PathSummary, b: PathSummary): Record<Measure, number> {
  return Object.fromEntries(MEASURES.map((m) => [m, ratio(a[m], b[m])])) as Record<Measure, number>;
}

export function summarizeCycle(
  raw: RawRep[],
  compose: { tool: string; reps: ComposeRep[] } | null,
  stack: StackRep[],
): CycleResults {
  const rawSummary = summarizePath(raw);
  const verified = summarize(raw.map((r) => r.verifiedMs));
  const composeSummary = compose ? summarizePath(compose.reps) : null;
  const stackSummary = summarizePath(stack);
  const noopUp = summarize(stack.map((s) => s.noopUpMs));
  const steps = Object.fromEntries(
    RAW_STEPS.map(({ id }) => [id, summarize(raw.map((r) => r.steps[id]))]),
  ) as Record<RawStepId, Summary>;
  return {
    raw: { reps: raw, summary: rawSummary, verified, steps },
    compose: compose && composeSummary ? { ...compose, summary: composeSummary } : null,
    stack: { reps: stack, summary: stackSummary, noopUp },
    ratios: {
      stackVsRaw: ratios(stackSummary, rawSummary),
      stackVsCompose: composeSummary ? ratios(stackSummary, composeSummary) : null,
      composeVsRaw: composeSummary ? ratios(composeSummary, rawSummary) : null,
      noopUp: ratio(noopUp, verified),
      cyclePairs: pairedRatios(
        stack.map((s) => s.cycleMs),
        raw.map((r) => r.cycleMs),
      ),
    },
    medianRep: medianIndex(stack.map((s) => s.cycleMs)),
  };
}

export function summarizeThroughput(reps: ThroughputRep[]): ThroughputResults {
  const side = (results: WrkResult[]) => ({
    requestsPerSec: summarize(results.map((r) => r.requestsPerSec)),
    p99Ms: summarize(results.map((r) => r.latencyMs.p99)),
  });
  const app = side(reps.map((r) => r.app));
  const ceiling = side(reps.map((r) => r.ceiling));
  return {
    reps,
    app,
    ceiling,
    ratio: ratio(app.requestsPerSec, ceiling.requestsPerSec),
    pairRatios: summarize(
      pairedRatios(
        reps.map((r) => r.app.requestsPerSec),
        reps.map((r) => r.ceiling.requestsPerSec),
      ),
    ),
    p99Ratio: ratio(app.p99Ms, ceiling.p99Ms),
    counterOk: reps.every((r) => r.app.counter.ok),
  };
}

/** The targets from whichever phases ran. */
export function targetsOf(cycle: CycleResults | null, throughput: ThroughputResults | null): TargetResult[] {
  return evaluateTargets({
    ...(cycle
      ? {
          fullCycle: cycle.ratios.stackVsRaw.cycle,
          noopUp: cycle.ratios.noopUp,
          ...(cycle.ratios.stackVsCompose ? { vsCompose: cycle.ratios.stackVsCompose.cycle } : {}),
        }
      : {}),
    ...(throughput ? { throughput: throughput.ratio } : {}),
  });
}

/** The phases of each path's median cycle, for the profile table and the stacked timeline. */
export function buildProfile(cycle: CycleResults, process: ProcessProfile | null): Profile {
  const rep = cycle.stack.reps[cycle.medianRep];
  const raw = RAW_STEPS.map(({ id, label }) => ({ label: `raw: ${label}`, ms: cycle.raw.steps[id].median }));
  const c = cycle.compose?.summary;
  return {
    stack: {
      up: upPhases(rep.timelines.up),
      noopUp: upPhases(rep.timelines.noopUp),
      destroy: destroyPhases(rep.timelines.destroy),
    },
    raw,
    compose: c
      ? [
          { label: "compose: up -d", ms: c.up.median },
          { label: "compose: to first 200", ms: Math.max(0, c.firstOk.median - c.up.median) },
          { label: "compose: down", ms: c.down.median },
        ]
      : null,
    process,
  };
}
