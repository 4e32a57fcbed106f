// A run's results as Markdown (bench/results/latest.md, printed too): each path's medians and their
// ratios to the first path's, where the Pulumi paths' seconds go, the app's throughput next to the
// ceiling, and the targets (issues 13 and 21). Pure.
import { PHASE_ORDER } from "./phases";
import { BenchResults, Load, Rep, ThroughputRep } from "./results";
import { medianIndex, pairedRatios, ratio, spread, summarize, Summary } from "./stats";
import { counterProblems } from "./wrk";

type Measure = (rep: Rep) => number | null | undefined;
type Format = (value: number) => string;

const sec = (ms: number) => (ms / 1000).toFixed(2);
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : "n/a");
const percent = (r: number) => (Number.isFinite(r) ? `${Math.round(r * 100)}%` : "n/a");
const range = (s: Summary, f: Format = sec) =>
  s.n === 1 ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
const plusMinus = (s: Summary) => `±${Math.round((spread(s) * 100) / 2)}%`;

/** The cycle table's columns; the no-op up's ratio is over the first path's up to verified. */
const MEASURES: { label: string; of: Measure; over?: Measure }[] = [
  { label: "up (command returned)", of: (r) => r.upMs },
  { label: "up to first 200", of: (r) => r.firstOkMs },
  { label: "up to verified", of: (r) => r.verifiedMs },
  { label: "down", of: (r) => r.downMs },
  { label: "full cycle", of: (r) => r.cycleMs },
  { label: "no-op up", of: (r) => r.noopUpMs, over: (r) => r.verifiedMs },
];

/** A measure over the repetitions; null when the path does not have it. */
export function summaryOf(reps: Rep[], of: Measure): Summary | null {
  const values = reps.map(of);
  return values.every((v) => typeof v === "number") ? summarize(values as number[]) : null;
}

/** The repetition whose full cycle is the median one: the one whose phases are shown. */
export function medianRep(reps: Rep[]): Rep {
  return reps[medianIndex(reps.map((r) => r.cycleMs))];
}

/** A Markdown table padded as prettier pads it: the first column left-aligned, the others right. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(3, ...rows.map((r) => r[c].length)));
  const pad = (x: string, c: number) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]));
  const line = (r: string[]) => `| ${r.map(pad).join(" | ")} |`;
  const rule = widths.map((w, c) => (c ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  return [line(rows[0]), `| ${rule.join(" | ")} |`, ...rows.slice(1).map(line)].join("\n");
}

/** Each path's medians [min–max], then each other path's ratios to the first one's. */
export function cycleRows(r: BenchResults): string[][] {
  const [base, ...others] = r.paths;
  const cell = (s: Summary | null) => (s ? range(s) : "");
  const ratioCell = (reps: Rep[], m: (typeof MEASURES)[number]) => {
    const [a, b] = [summaryOf(reps, m.of), summaryOf(base.reps, m.over ?? m.of)];
    return a && b ? times(ratio(a, b)) : "";
  };
  return [
    ["seconds", ...MEASURES.map((m) => m.label)],
    ...r.paths.map((p) => [p.label, ...MEASURES.map((m) => cell(summaryOf(p.reps, m.of)))]),
    ...others.map((p) => [`${p.label} / ${base.label}`, ...MEASURES.map((m) => ratioCell(p.reps, m))]),
  ];
}

function cycleSection(r: BenchResults): string[] {
  const [base, ...others] = r.paths;
  const cycles = (reps: Rep[]) => reps.map((x) => x.cycleMs);
  const pairs = others.map((p) => {
    const each = pairedRatios(cycles(p.reps), cycles(base.reps));
    const s = summarize(each);
    return `${p.label} ${each.map((x) => x.toFixed(2)).join(", ")} (interquartile ${plusMinus(s)})`;
  });
  return [
    `Deploy cycle: seconds, median [min–max] of ${r.settings.reps} interleaved repetitions; ` +
      `ratios of the medians (the no-op up's over the ${base.label}'s up to verified):`,
    "",
    table(cycleRows(r)),
    "",
    ...r.paths.filter((p) => p.note).map((p) => `- ${p.label}: ${p.note}`),
    `- full cycle over the ${base.label}'s, repetition by repetition: ${pairs.join("; ")}`,
    "",
  ];
}

/** The Pulumi paths' up, no-op up and destroy, phase by phase, in their median repetition. */
export function profileRows(r: BenchResults): string[][] {
  const rows: [string, Record<string, number>][] = [];
  for (const p of r.paths.filter((x) => x.reps[0].noopSteps)) {
    const rep = medianRep(p.reps);
    const of = (op: string) => {
      const phases: Record<string, number> = {};
      for (const [k, ms] of Object.entries(rep.steps)) {
        if (k.startsWith(`${op}: `)) phases[k.slice(op.length + 2)] = ms;
      }
      return phases;
    };
    rows.push(
      [`${p.label}: up`, of("up")],
      [`${p.label}: no-op up`, rep.noopSteps!],
      [`${p.label}: destroy`, of("destroy")],
    );
  }
  const phases = PHASE_ORDER.split(",").filter((ph) => rows.some(([, x]) => ph in x));
  const total = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
  return [
    ["operation", ...phases, "total"],
    ...rows.map(([label, x]) => [label, ...phases.map((ph) => (ph in x ? sec(x[ph]) : "")), sec(total(x))]),
  ];
}

function throughputSection(r: BenchResults): string[] {
  const reps = r.throughput!;
  const w = r.settings.wrk;
  const of = (f: (x: ThroughputRep) => number) => summarize(reps.map(f));
  const [app, ceiling] = [of((x) => x.app.requestsPerSec), of((x) => x.ceiling.requestsPerSec)];
  const row = (label: string, f: (x: Load) => number, digits: number, share: Format) => {
    const [a, c, format] = [of((x) => f(x.app)), of((x) => f(x.ceiling)), (v: number) => v.toFixed(digits)];
    return [label, range(a, format), range(c, format), share(ratio(a, c))];
  };
  const pairs = reps.map((x) => x.app.requestsPerSec / x.ceiling.requestsPerSec);
  const failed = reps.flatMap((x, i) =>
    counterProblems(x.app, w.connections).map((p) => `run ${i + 1}: ${p}`),
  );
  const inFlight = reps.map((x) => x.app.counted - x.app.requests).join(", ");
  return [
    `App throughput: wrk -t${w.threads} -c${w.connections} -d${w.durationS}s --latency after a ` +
      `${w.warmupS} s warm-up, the app then a plain Node.js server (the ceiling), ${reps.length} pairs:`,
    "",
    table([
      ["measure", "app", "plain Node.js (ceiling)", "app/ceiling"],
      row("requests/s", (x) => x.requestsPerSec, 0, percent),
      row("p99 latency (ms)", (x) => x.p99Ms, 1, times),
    ]),
    "",
    `- app/ceiling pair by pair: ${pairs.map(percent).join(", ")}; requests/s interquartile spread: ` +
      `app ${plusMinus(app)}, ceiling ${plusMinus(ceiling)}`,
    failed.length === 0
      ? `- counter check: ok in every run: Redis counted wrk's completed requests plus those in flight ` +
        `when it stopped (${inFlight}); no errors`
      : `- counter check: FAILED (${failed.join("; ")})`,
    "",
  ];
}

/** A full cycle, the measure most ratios are of. */
const cycle: Measure = (x) => x.cycleMs;

/** A path's median of a measure; NaN when the path did not run or does not have it. */
function pathMedian(r: BenchResults, id: string, of: Measure): number {
  const reps = r.paths.find((p) => p.id === id)?.reps;
  return (reps && summaryOf(reps, of)?.median) ?? NaN;
}

/** PASS or MISS for each target (issues 13 and 21) whose paths ran. */
export function targetLines(r: BenchResults): string[] {
  const median = (id: string, of: Measure) => pathMedian(r, id, of);
  const rps = (side: "app" | "ceiling") =>
    r.throughput ? summarize(r.throughput.map((x) => x[side].requestsPerSec)).median : NaN;
  const noop = median("stack", (x) => x.noopUpMs) / median("raw", (x) => x.verifiedMs);
  const aboveFloor = (median("stack", cycle) - median("floor", cycle)) / median("raw", cycle);
  const noopOverFloor = median("stack", (x) => x.noopUpMs) / median("floor", (x) => x.upMs);
  const targets: [string, number, "<=" | "<" | ">=", number, Format][] = [
    ["full cycle: stack / raw CLI", median("stack", cycle) / median("raw", cycle), "<=", 2, times],
    ["full cycle: (stack - Pulumi's floor) / raw CLI", aboveFloor, "<=", 1.25, times],
    [
      "full cycle: plain Pulumi / stack (above 1: the stack is faster)",
      median("plain", cycle) / median("stack", cycle),
      ">=",
      1,
      times,
    ],
    ["no-op up / Pulumi's floor up", noopOverFloor, "<=", 1.5, times],
    ["full cycle: stack / compose", median("stack", cycle) / median("compose", cycle), "<", 1, times],
    ["no-op up / raw CLI up to verified", noop, "<=", 1.25, times],
    ["app requests/s / plain Node.js ceiling", rps("app") / rps("ceiling"), ">=", 0.85, percent],
  ];
  return targets
    .filter(([, value]) => !Number.isNaN(value))
    .map(([what, value, cmp, limit, f]) => {
      const pass = cmp === "<=" ? value <= limit : cmp === "<" ? value < limit : value >= limit;
      return `- ${pass ? "PASS" : "MISS"} ${what}: ${f(value)} (target ${cmp} ${f(limit)})`;
    });
}

/**
 * Where the stack's own time goes (issue 21): its cycle above Pulumi's floor's, split into Docker's
 * work on the stack's containers (the same containers made and removed by the docker CLI: that
 * path's up and down) and the rest (the program, the providers, each resource's step, the checks),
 * each also over the raw CLI's cycle. Empty unless those four paths ran.
 */
export function ownTimeLines(r: BenchResults): string[] {
  const median = (id: string, of: Measure) => pathMedian(r, id, of);
  const raw = median("raw", cycle);
  const own = median("stack", cycle) - median("floor", cycle);
  const docker = median("containers", (x) => x.upMs + x.downMs);
  if ([raw, own, docker].some(Number.isNaN)) return [];
  const part = (what: string, ms: number) =>
    `- ${what}: ${sec(ms)} s, ${times(ms / raw)} the raw CLI's cycle`;
  return [
    part("the stack's own time (its full cycle above Pulumi's floor's)", own),
    part("of which Docker's work on the stack's containers (made and removed by the docker CLI)", docker),
    part("the rest (the program, the providers, a step per resource, the checks)", own - docker),
  ];
}

export function renderMarkdown(r: BenchResults): string {
  const [m, phases, own] = [r.machine, profileRows(r), ownTimeLines(r)];
  return [
    `Measured ${r.startedAt}, ${r.settings.reps} interleaved repetitions, ${m.hostname}: ${m.cpus} CPUs, ` +
      `load ${m.load.start.toFixed(2)} → ${m.load.end.toFixed(2)}; ` +
      `docker ${m.docker}, pulumi ${m.pulumi}, node ${m.node}.`,
    "",
    ...(r.paths.length > 0 ? cycleSection(r) : []),
    ...(phases.length > 1 ? ["Where the seconds go: the median repetition's phases (seconds):", ""] : []),
    ...(phases.length > 1 ? [table(phases), ""] : []),
    ...(r.throughput ? throughputSection(r) : []),
    ...(own.length > 0 ? ["The stack's own time, medians:", "", ...own, ""] : []),
    "Targets:",
    "",
    ...targetLines(r),
    "",
    "![benchmark chart](latest.svg)",
    "",
  ].join("\n");
}
