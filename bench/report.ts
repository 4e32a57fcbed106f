// The run's results as sections (a title, a table, notes), rendered as aligned text for stdout and
// as Markdown for bench/results/latest.md and the READMEs. Pure.
import {
  Align,
  formatPercent,
  formatRatio,
  formatSummary,
  formatTable,
  markdownTable,
  seconds,
} from "./format";
import { BenchResults, CycleResults, Measure, Profile, ThroughputResults } from "./results";
import { relativeSpread, summarize, Summary, TargetResult } from "./stats";
import { Phase, ResourceSpan, TimelineSummary } from "./timeline";

interface Section {
  title: string;
  rows: string[][];
  align: Align[];
  notes: string[];
}

const s = (x: Summary) => formatSummary(x, seconds);
const spread = (x: Summary) => `±${Math.round((relativeSpread(x) * 100) / 2)}%`;

const MEASURE_LABELS: Record<Measure, string> = {
  up: "up (command returned)",
  firstOk: "up to first 200",
  down: "down",
  cycle: "full cycle",
};

/** The three-way table: each measure for the raw CLI, compose and the stack, and their ratios. */
export function threeWayRows(c: CycleResults): string[][] {
  const rows = [["seconds", "raw CLI", "compose", "stack", "stack/raw", "stack/compose", "compose/raw"]];
  for (const m of Object.keys(MEASURE_LABELS) as Measure[]) {
    rows.push([
      MEASURE_LABELS[m],
      s(c.raw.summary[m]),
      c.compose ? s(c.compose.summary[m]) : "n/a",
      s(c.stack.summary[m]),
      formatRatio(c.ratios.stackVsRaw[m]),
      formatRatio(c.ratios.stackVsCompose?.[m]),
      formatRatio(c.ratios.composeVsRaw?.[m]),
    ]);
  }
  rows.push(["up to verified (raw: KEYS *)", s(c.raw.verified), "(none)", s(c.stack.summary.up), "", "", ""]);
  rows.push(["no-op up (refresh included)", "", "", s(c.stack.noopUp), formatRatio(c.ratios.noopUp), "", ""]);
  return rows;
}

function cycleSection(c: CycleResults, reps: number): Section {
  const pairs = summarize(c.ratios.cyclePairs);
  return {
    title: `Deploy cycle: medians [min–max] of ${reps} interleaved repetitions (raw, compose, stack, ...)`,
    rows: threeWayRows(c),
    align: ["left", "right", "right", "right", "right", "right", "right"],
    notes: [
      `compose: ${c.compose ? c.compose.tool : "not available"}; no-op up is over the raw path's up to verified`,
      `full cycle stack/raw per repetition: ${c.ratios.cyclePairs.map((r) => r.toFixed(2)).join(", ")} ` +
        `(median ${formatRatio(pairs.median)}, interquartile spread ${spread(pairs)})`,
    ],
  };
}

function phaseCells(phases: Phase[] | null, labels: string[]): string[] {
  return labels.map((l) => {
    const p = phases?.find((x) => x.label === l);
    return p ? seconds(p.ms) : "";
  });
}

function profileSection(p: Profile): Section {
  const labels = [...new Set([...p.stack.up, ...p.stack.noopUp, ...p.stack.destroy].map((x) => x.label))];
  const total = (phases: Phase[]) => seconds(phases.reduce((sum, x) => sum + x.ms, 0));
  const rows = [
    ["operation", ...labels, "total"],
    ["up (empty stack)", ...phaseCells(p.stack.up, labels), total(p.stack.up)],
    ["no-op up", ...phaseCells(p.stack.noopUp, labels), total(p.stack.noopUp)],
    ["destroy", ...phaseCells(p.stack.destroy, labels), total(p.stack.destroy)],
  ];
  const notes: string[] = [];
  if (p.process) {
    const plugins = Object.entries(p.process.pluginStartMs)
      .map(([name, x]) => `${name} ${seconds(x.median)} s`)
      .join(", ");
    notes.push(`plugin start (launched until it printed its port, median): ${plugins}`);
    if (p.process.program) {
      const loads = p.process.program.loads.map((l) => `${l.module} ${seconds(l.ms)} s`).join(", ");
      notes.push(
        `program's node process started ${seconds(p.process.program.nodeStartMs)} s into the up; loading: ${loads}`,
      );
    }
    if (p.process.checks.length > 0) {
      const checks = p.process.checks.map((x) => `${x.check} ${seconds(x.ms)} s`).join(", ");
      notes.push(`check processes (node start to exit): ${checks}`);
    }
    if (p.process.others.length > 0) {
      const others = p.process.others.map((x) => `${x.command} ${seconds(x.ms)} s`).join(", ");
      notes.push(`other node processes of the up: ${others}`);
    }
  }
  return {
    title: "Profile: where the stack's seconds go (the median repetition; phases laid end to end)",
    rows,
    align: ["left", ...labels.map((): Align => "right"), "right"],
    notes,
  };
}

/** The `top` slowest resource steps of an operation: name (type, op) seconds [start–end]. */
export function slowestSteps(timeline: TimelineSummary, top = 8): string[] {
  return timeline.spans
    .filter((x): x is ResourceSpan & { endMs: number } => x.endMs !== null)
    .map((x) => ({ ...x, ms: x.endMs - x.startMs }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top)
    .map(
      (x) => `${x.name} (${x.type}, ${x.op}) ${seconds(x.ms)} s [${seconds(x.startMs)}–${seconds(x.endMs)}]`,
    );
}

function throughputSection(t: ThroughputResults, r: BenchResults): Section {
  const w = r.settings.wrk;
  const rps = (v: number) => v.toFixed(0);
  const ms = (v: number) => v.toFixed(1);
  const inFlight = t.reps.map((x) => x.app.counter.inFlightAtStop).join(", ");
  const failed = t.reps.flatMap((x, i) => x.app.counter.problems.map((p) => `run ${i + 1}: ${p}`));
  return {
    title:
      `App throughput: wrk -t${w.threads} -c${w.connections} -d${w.durationS}s --latency after a ${w.warmupS}s ` +
      `warm-up, port :${r.settings.ports.throughput}, app and ceiling in turn` +
      (w.pinned ? ", wrk on CPU 1, containers on CPU 0" : ""),
    rows: [
      ["measure", "app", "plain Node.js (ceiling)", "app/ceiling"],
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
    ],
    align: ["left", "right", "right", "right"],
    notes: [
      `app/ceiling per pair: ${t.reps.map((x) => formatPercent(x.app.requestsPerSec / x.ceiling.requestsPerSec)).join(", ")} ` +
        `(median ${formatPercent(t.pairRatios.median)}, min–max ${formatPercent(t.pairRatios.min)}–${formatPercent(t.pairRatios.max)}); ` +
        `requests/s spread (interquartile): app ${spread(t.app.requestsPerSec)}, ceiling ${spread(t.ceiling.requestsPerSec)}`,
      t.counterOk
        ? `counter check: ok in every run: Redis counted exactly wrk's completed requests plus those in flight when it stopped (${inFlight}); no error responses, no socket errors`
        : `counter check: FAILED (${failed.join("; ")})`,
    ],
  };
}

function targetLines(targets: TargetResult[]): string[] {
  return targets.map((t) => {
    const verdict = t.pass === null ? "----" : t.pass ? "PASS" : "MISS";
    const fmt = (v: number) => (t.id === "throughput" ? formatPercent(v) : formatRatio(v));
    const value = t.value === null ? "not measured" : fmt(t.value);
    return `${verdict}  ${t.description}: ${value} (target ${t.comparison} ${fmt(t.limit)})`;
  });
}

function headline(r: BenchResults): string {
  const m = r.machine;
  return (
    `${r.startedAt}, ${r.settings.reps} interleaved repetitions, ${m.hostname}: ${m.cpus} CPUs, ` +
    `load ${m.load.start.toFixed(2)} → ${m.load.end.toFixed(2)}; docker ${m.docker}, pulumi ${m.pulumi}, node ${m.node}`
  );
}

function sections(r: BenchResults): Section[] {
  const out: Section[] = [];
  if (r.cycle) out.push(cycleSection(r.cycle, r.settings.reps));
  if (r.profile) out.push(profileSection(r.profile));
  if (r.throughput) out.push(throughputSection(r.throughput, r));
  return out;
}

/** The report printed on stdout. */
export function renderText(r: BenchResults): string {
  const out = [`container-links benchmark: ${headline(r)}`, ""];
  for (const x of sections(r))
    out.push(x.title, formatTable(x.rows, x.align), ...x.notes.map((n) => `  ${n}`), "");
  if (r.cycle) {
    const up = r.cycle.stack.reps[r.cycle.medianRep].timelines.up;
    out.push("Slowest steps of the up:", ...slowestSteps(up).map((l) => `  ${l}`), "");
  }
  out.push("Targets", ...targetLines(r.targets).map((l) => `  ${l}`));
  return out.join("\n") + "\n";
}

/** The Markdown of bench/results/latest.md and the READMEs' performance sections. */
export function renderMarkdown(r: BenchResults): string {
  const out = [`Measured ${headline(r)}.`, ""];
  for (const x of sections(r)) {
    out.push(`${x.title}:`, "", markdownTable(x.rows, x.align), "");
    if (x.notes.length > 0) out.push(...x.notes.map((n) => `- ${n}`), "");
  }
  if (r.cycle) {
    const up = r.cycle.stack.reps[r.cycle.medianRep].timelines.up;
    out.push("Slowest steps of the up:", "", ...slowestSteps(up).map((l) => `- ${l}`), "");
  }
  out.push("Targets:", "", ...targetLines(r.targets).map((l) => `- ${l.replace(/ {2}/, " ")}`), "");
  out.push("![benchmark chart](results/latest.svg)");
  return out.join("\n") + "\n";
}
