// The benchmark's results as data (what bench/results/*.json holds) and as text: the aligned table
// on stdout and the Markdown section of bench/README.md. Pure: no I/O.
import {
  CounterCheck,
  evaluateTargets,
  ratio,
  Summary,
  summarize,
  TargetResult,
  TimelineSummary,
  WrkResult,
} from "./stats";

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

/** One run of the raw CLI path, in milliseconds. */
export interface RawRep {
  steps: Record<RawStepId, number>;
  /** From the first `docker run` to the KEYS check (everything but `docker rm`). */
  upVerifyMs: number;
  /** The whole path, `docker rm` included. */
  totalMs: number;
}

/** One run of the stack path, in milliseconds. */
export interface StackRep {
  /** `pulumi up` from an empty stack until it returned with `verification.ok` true. */
  upMs: number;
  noopUpMs: number;
  previewMs: number;
  destroyMs: number;
  /** upMs + destroyMs. */
  cycleMs: number;
  /** The no-op up's and the preview's resource changes other than "same" (empty: nothing changed). */
  noopChanges: Record<string, number>;
  previewChanges: Record<string, number>;
  /** Each operation's engine events. */
  timelines: {
    up: TimelineSummary;
    noopUp: TimelineSummary;
    preview: TimelineSummary;
    destroy: TimelineSummary;
  };
}

export interface CycleResults {
  raw: {
    reps: RawRep[];
    upVerify: Summary;
    total: Summary;
    steps: Record<RawStepId, Summary>;
  };
  stack: {
    reps: StackRep[];
    up: Summary;
    noopUp: Summary;
    preview: Summary;
    destroy: Summary;
    cycle: Summary;
  };
  /** stack / raw, of the medians. preview and noopUp are over the raw path's up-and-verify. */
  ratios: { up: number; noopUp: number; preview: number; teardown: number; fullCycle: number };
  /** Index into stack.reps of the run whose `up` time is the median (its timeline is shown). */
  medianUpRep: number;
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
  /** App p99 over the ceiling's (medians). */
  p99Ratio: number;
  /** Every app run passed the counter check. */
  counterOk: boolean;
}

export interface BenchResults {
  schema: 1;
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
    ports: { raw: number; stack: number; throughput: number };
    stackName: string | null;
    wrk: { threads: number; connections: number; durationS: number; warmupS: number };
  };
  cycle: CycleResults | null;
  throughput: ThroughputResults | null;
  targets: TargetResult[];
}

// ---------------------------------------------------------------------------------------------------
// Summaries

export function summarizeCycle(raw: RawRep[], stack: StackRep[]): CycleResults {
  const steps = Object.fromEntries(
    RAW_STEPS.map(({ id }) => [id, summarize(raw.map((r) => r.steps[id]))]),
  ) as Record<RawStepId, Summary>;
  const rawSummary = {
    reps: raw,
    upVerify: summarize(raw.map((r) => r.upVerifyMs)),
    total: summarize(raw.map((r) => r.totalMs)),
    steps,
  };
  const stackSummary = {
    reps: stack,
    up: summarize(stack.map((s) => s.upMs)),
    noopUp: summarize(stack.map((s) => s.noopUpMs)),
    preview: summarize(stack.map((s) => s.previewMs)),
    destroy: summarize(stack.map((s) => s.destroyMs)),
    cycle: summarize(stack.map((s) => s.cycleMs)),
  };
  const byUp = stack.map((s, i) => ({ i, ms: s.upMs })).sort((a, b) => a.ms - b.ms);
  return {
    raw: rawSummary,
    stack: stackSummary,
    ratios: {
      up: ratio(stackSummary.up, rawSummary.upVerify),
      noopUp: ratio(stackSummary.noopUp, rawSummary.upVerify),
      preview: ratio(stackSummary.preview, rawSummary.upVerify),
      teardown: ratio(stackSummary.destroy, steps.rm),
      fullCycle: ratio(stackSummary.cycle, rawSummary.total),
    },
    medianUpRep: byUp[Math.floor((byUp.length - 1) / 2)].i,
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
    p99Ratio: ratio(app.p99Ms, ceiling.p99Ms),
    counterOk: reps.every((r) => r.app.counter.ok),
  };
}

/** The targets from whichever phases ran. */
export function targetsOf(cycle: CycleResults | null, throughput: ThroughputResults | null): TargetResult[] {
  return evaluateTargets({
    ...(cycle ? { fullCycle: cycle.ratios.fullCycle, noopUp: cycle.ratios.noopUp } : {}),
    ...(throughput ? { throughput: throughput.ratio } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------
// Formatting

/** Milliseconds as seconds with two decimals: 4210 → "4.21". */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** "median [min–max]" with each value formatted by `format`. */
export function formatSummary(s: Summary, format: (v: number) => string): string {
  return s.n === 1 ? format(s.median) : `${format(s.median)} [${format(s.min)}–${format(s.max)}]`;
}

export function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : "n/a";
}

export function formatPercent(r: number): string {
  return Number.isFinite(r) ? `${Math.round(r * 100)}%` : "n/a";
}

function formatTargetValue(t: TargetResult): string {
  if (t.value === null) {
    return "not measured";
  }
  return t.id === "throughput" ? formatPercent(t.value) : formatRatio(t.value);
}

function formatTargetLimit(t: TargetResult): string {
  return `${t.comparison} ${t.id === "throughput" ? formatPercent(t.limit) : formatRatio(t.limit)}`;
}

export type Align = "left" | "right";

/**
 * Rows as aligned text columns (two spaces apart, no trailing blanks). The first row is the
 * header and is followed by a line of dashes. `align` gives each column's alignment (default left).
 */
export function formatTable(rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map((r) => Array.from(r[c] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    widths
      .map((w, c) => {
        const cell = cells[c] ?? "";
        const pad = " ".repeat(w - Array.from(cell).length);
        return align[c] === "right" ? pad + cell : cell + pad;
      })
      .join("  ")
      .replace(/\s+$/, "");
  const [header, ...body] = rows;
  if (header === undefined) {
    return "";
  }
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** The cycle table's rows: step, raw, stack, stack/raw. */
export function cycleRows(cycle: CycleResults): string[][] {
  const { raw, stack, ratios } = cycle;
  const s = (x: Summary) => formatSummary(x, seconds);
  const rows = [
    ["step (seconds)", "raw CLI median [min–max]", "stack median [min–max]", "stack/raw"],
    ["up to verified", s(raw.upVerify), s(stack.up), formatRatio(ratios.up)],
    ["no-op up (vs raw up+verify)", s(raw.upVerify), s(stack.noopUp), formatRatio(ratios.noopUp)],
    ["preview (vs raw up+verify)", s(raw.upVerify), s(stack.preview), formatRatio(ratios.preview)],
    ["teardown (rm -f / destroy)", s(raw.steps.rm), s(stack.destroy), formatRatio(ratios.teardown)],
    ["full cycle", s(raw.total), s(stack.cycle), formatRatio(ratios.fullCycle)],
  ];
  for (const { id, label } of RAW_STEPS) {
    rows.push([`  raw: ${label}`, s(raw.steps[id]), "", ""]);
  }
  return rows;
}

/** The throughput table's rows: measure, app, ceiling, app/ceiling. */
export function throughputRows(t: ThroughputResults): string[][] {
  const rps = (v: number) => v.toFixed(0);
  const ms = (v: number) => v.toFixed(1);
  return [
    ["measure", "app median [min–max]", "plain Node.js median [min–max]", "app/ceiling"],
    [
      "requests/s",
      formatSummary(t.app.requestsPerSec, rps),
      formatSummary(t.ceiling.requestsPerSec, rps),
      formatPercent(t.ratio),
    ],
    [
      "p99 latency (ms)",
      formatSummary(t.app.p99Ms, ms),
      formatSummary(t.ceiling.p99Ms, ms),
      formatRatio(t.p99Ratio),
    ],
  ];
}

function counterLine(t: ThroughputResults): string {
  const inFlight = t.reps.map((r) => r.app.counter.inFlightAtStop).join(", ");
  const failed = t.reps.flatMap((r, i) => r.app.counter.problems.map((p) => `run ${i + 1}: ${p}`));
  return t.counterOk
    ? `counter check: ok in ${t.reps.length === 1 ? "the run" : `all ${t.reps.length} runs`} (counted = wrk's completed requests + those in flight ` +
        `when wrk stopped: ${inFlight}; no error responses, no socket errors)`
    : `counter check: FAILED (${failed.join("; ")})`;
}

const TIMELINE_OPS = [
  ["up", "up (empty stack)"],
  ["noopUp", "no-op up"],
  ["preview", "preview"],
  ["destroy", "destroy"],
] as const;

/**
 * Where each operation's time went, in seconds since it was started: the engine's first event (the
 * CLI is up and has read the state), the program's first registration (language host started, the
 * TypeScript program compiled and running), the first and last resource step, the engine's summary,
 * and the return to the bench (the CLI exited).
 */
export function timelineRows(timelines: StackRep["timelines"]): string[][] {
  const at = (ms: number | null | undefined) => (ms === null || ms === undefined ? "-" : seconds(ms));
  return [
    ["operation", "engine", "program", "first step", "last step", "summary", "returned"],
    ...TIMELINE_OPS.map(([id, label]) => {
      const t = timelines[id];
      return [
        label,
        at(t.preludeMs),
        at(t.firstResourceMs),
        at(t.spans[0]?.startMs),
        at(t.lastResourceMs),
        at(t.summaryMs),
        at(t.endMs),
      ];
    }),
  ];
}

/** The `top` slowest resource steps of an operation: name (type) seconds [start–end]. */
export function slowestSteps(timeline: TimelineSummary, top = 6): string[] {
  return timeline.spans
    .filter((s) => s.endMs !== null)
    .map((s) => ({ ...s, ms: s.endMs! - s.startMs }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top)
    .map(
      (s) => `${s.name} (${s.type}, ${s.op}) ${seconds(s.ms)} s [${seconds(s.startMs)}–${seconds(s.endMs!)}]`,
    );
}

function targetLines(targets: TargetResult[]): string[] {
  return targets.map((t) => {
    const verdict = t.pass === null ? "----" : t.pass ? "PASS" : "MISS";
    return `${verdict}  ${t.description}: ${formatTargetValue(t)} (target ${formatTargetLimit(t)})`;
  });
}

function headline(r: BenchResults): string {
  const { machine: m, settings } = r;
  return (
    `${r.startedAt}, ${settings.reps} repetition${settings.reps === 1 ? "" : "s"} interleaved (raw, stack, ...), ` +
    `${m.hostname}: ${m.cpus} CPUs, load ${m.load.start.toFixed(2)} → ${m.load.end.toFixed(2)}; ` +
    `docker ${m.docker}, pulumi ${m.pulumi}, node ${m.node}`
  );
}

function wrkLine(r: BenchResults): string {
  const w = r.settings.wrk;
  return (
    `wrk -t${w.threads} -c${w.connections} -d${w.durationS}s --latency (after a ${w.warmupS}s warm-up), ` +
    `same published port :${r.settings.ports.throughput}, ${r.settings.images.node}`
  );
}

/** The report printed on stdout. */
export function renderText(r: BenchResults): string {
  const out: string[] = [`container-links benchmark: ${headline(r)}`, ""];
  if (r.cycle) {
    out.push("Deploy cycle", formatTable(cycleRows(r.cycle), ["left", "right", "right", "right"]), "");
    const rep = r.cycle.stack.reps[r.cycle.medianUpRep];
    out.push(
      `Stack path timeline, seconds since each operation started (run ${r.cycle.medianUpRep + 1}, the median up)`,
    );
    out.push(
      formatTable(timelineRows(rep.timelines), [
        "left",
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
      ]),
    );
    out.push("slowest steps of the up:", ...slowestSteps(rep.timelines.up).map((l) => `  ${l}`), "");
    const notNoop = r.cycle.stack.reps.filter((s) => Object.keys(s.noopChanges).length > 0);
    if (notNoop.length > 0) {
      out.push(
        `note: the second up changed resources in ${notNoop.length} run(s): ${JSON.stringify(notNoop[0].noopChanges)}`,
        "",
      );
    }
  }
  if (r.throughput) {
    out.push(`App throughput: ${wrkLine(r)}`);
    out.push(formatTable(throughputRows(r.throughput), ["left", "right", "right", "right"]));
    out.push(counterLine(r.throughput), "");
  }
  out.push("Targets", ...targetLines(r.targets).map((l) => `  ${l}`));
  return out.join("\n") + "\n";
}

/** A pipe table as prettier writes it (cells padded to the column's width, at least 3). */
function markdownTable(rows: string[][], align: Align[]): string {
  const escape = (c: string) => c.replace(/\|/g, "\\|").replace(/^ +/, (sp) => "&nbsp;".repeat(sp.length));
  const cells = rows.map((r) => r.map(escape));
  const widths = cells[0].map((_, c) => Math.max(3, ...cells.map((r) => Array.from(r[c] ?? "").length)));
  const pad = (cell: string, c: number) => {
    const fill = " ".repeat(widths[c] - Array.from(cell).length);
    return align[c] === "right" ? fill + cell : cell + fill;
  };
  const line = (r: string[]) => `| ${widths.map((_, c) => pad(r[c] ?? "", c)).join(" | ")} |`;
  const rule = widths.map((w, c) => (align[c] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  const [header, ...body] = cells;
  return [line(header), `| ${rule.join(" | ")} |`, ...body.map(line)].join("\n");
}

/** The Markdown that goes between the markers of bench/README.md's performance section. */
export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [`Measured ${headline(r)}.`, ""];
  if (r.cycle) {
    out.push(markdownTable(cycleRows(r.cycle), ["left", "right", "right", "right"]), "");
    const rep = r.cycle.stack.reps[r.cycle.medianUpRep];
    out.push(
      `Stack path timeline, seconds since each operation started (run ${r.cycle.medianUpRep + 1}, the median up):`,
      "",
    );
    out.push(
      markdownTable(timelineRows(rep.timelines), [
        "left",
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
      ]),
      "",
    );
    out.push("Slowest steps of the up:", "", ...slowestSteps(rep.timelines.up).map((l) => `- ${l}`), "");
  }
  if (r.throughput) {
    out.push(`App throughput: \`${wrkLine(r)}\`.`, "");
    out.push(markdownTable(throughputRows(r.throughput), ["left", "right", "right", "right"]), "");
    out.push(counterLine(r.throughput) + ".", "");
  }
  out.push("Targets:", "", ...targetLines(r.targets).map((l) => `- ${l.replace(/ {2}/, " ")}`), "");
  out.push("![benchmark chart](results/latest.svg)");
  return out.join("\n") + "\n";
}

export const README_START = "<!-- bench:results:start -->";
export const README_END = "<!-- bench:results:end -->";

/** `text` with what lies between the two markers replaced by `content`; throws if a marker is missing. */
export function replaceSection(
  text: string,
  content: string,
  start = README_START,
  end = README_END,
): string {
  const i = text.indexOf(start);
  const j = text.indexOf(end, i + start.length);
  if (i < 0 || j < 0) {
    throw new Error(`the markers ${start} and ${end} are not both present (in this order)`);
  }
  return `${text.slice(0, i + start.length)}\n\n${content.replace(/\n*$/, "\n")}\n${text.slice(j)}`;
}
