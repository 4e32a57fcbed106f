// bench/results/latest.svg: the run's results as a plain SVG chart, written by hand (no
// dependencies). Three panels: a stacked timeline of each path's cycle (raw CLI, compose, the stack's
// up and destroy, its no-op up), each phase a segment laid end to end; the app's throughput next to
// the plain Node.js ceiling; the resource steps of the median `pulumi up`. Pure: returns the SVG text.
import { formatPercent, formatRatio, seconds } from "./format";
import { BenchResults } from "./results";
import { Summary } from "./stats";
import {
  axis,
  BAR_HEIGHT,
  COLORS,
  escapeXml,
  LABEL_WIDTH,
  line,
  niceScale,
  PLOT_WIDTH,
  rect,
  round,
  text,
  WIDTH,
} from "./svg";
import { Phase, TimelineSummary } from "./timeline";

interface Bar {
  summary: Summary;
  color: string;
  /** Value label drawn after the whisker. */
  label: string;
}

interface BarRow {
  label: string;
  bars: Bar[];
  /** Right-hand note (a ratio). */
  note: string;
}

/** A panel of grouped horizontal bars with whiskers; returns its elements and height. */
function barPanel(
  y0: number,
  title: string,
  rows: BarRow[],
  unit: string,
  format: (v: number) => string,
): { svg: string[]; height: number } {
  const max = Math.max(...rows.flatMap((r) => r.bars.map((b) => b.summary.max)));
  const scale = niceScale(max);
  const x = (v: number) => LABEL_WIDTH + (v / scale.top) * PLOT_WIDTH;
  const svg: string[] = [text(10, y0 + 14, title, "font-weight='bold'")];
  const top = y0 + 24;
  let y = top + 6;
  const body: string[] = [];
  for (const row of rows) {
    const groupHeight = row.bars.length * (BAR_HEIGHT + 3);
    body.push(text(LABEL_WIDTH - 8, y + groupHeight / 2 + 4, row.label, "text-anchor='end'"));
    body.push(text(WIDTH - 10, y + groupHeight / 2 + 4, row.note, "text-anchor='end' font-weight='bold'"));
    for (const bar of row.bars) {
      const { median, min, max: hi } = bar.summary;
      const mid = y + BAR_HEIGHT / 2;
      body.push(rect(LABEL_WIDTH, y, x(median) - LABEL_WIDTH, BAR_HEIGHT, bar.color));
      if (hi > min) {
        body.push(line(x(min), mid, x(hi), mid, COLORS.text));
        body.push(line(x(min), mid - 4, x(min), mid + 4, COLORS.text));
        body.push(line(x(hi), mid - 4, x(hi), mid + 4, COLORS.text));
      }
      body.push(text(x(hi) + 5, mid + 4, bar.label, "fill='#333'"));
      y += BAR_HEIGHT + 3;
    }
    y += 10;
  }
  svg.push(...axis(top, y, scale, unit, format), ...body);
  return { svg, height: y - y0 + 36 };
}

/** The stack's phases' colours, by phase (up, destroy and the no-op up share them), in order seen. */
const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#86bcb6",
  "#d37295",
];

export interface StackedRow {
  label: string;
  phases: Phase[];
  /** Right-hand note (e.g. the total or a ratio). */
  note: string;
}

/** One bar per row, its phases laid end to end and coloured by label (a legend of labels below). */
function stackedPanel(y0: number, title: string, rows: StackedRow[]): { svg: string[]; height: number } {
  const totals = rows.map((r) => r.phases.reduce((sum, p) => sum + p.ms, 0));
  const scale = niceScale(Math.max(...totals));
  const x = (ms: number) => LABEL_WIDTH + (ms / scale.top) * PLOT_WIDTH;
  // The raw CLI's and compose's steps in alternating shades of one colour each (their labels are in
  // the tooltips); the stack's phases by phase, with a legend.
  const colours = new Map<string, string>([
    ["raw CLI steps", "#6baed6"],
    ["compose steps", "#969696"],
  ]);
  const shades: Record<string, string[]> = {
    "raw:": ["#6baed6", "#9ecae1"],
    "compose:": ["#969696", "#cccccc"],
  };
  const colourOf = (label: string, index: number): string => {
    const family = Object.keys(shades).find((prefix) => label.startsWith(prefix));
    if (family) return shades[family][index % 2];
    const phase = label.replace(/^(up|destroy): /, "");
    if (!colours.has(phase)) colours.set(phase, PALETTE[(colours.size - 2) % PALETTE.length]);
    return colours.get(phase)!;
  };
  const svg: string[] = [text(10, y0 + 14, title, "font-weight='bold'")];
  const top = y0 + 24;
  let y = top + 6;
  const body: string[] = [];
  const height = BAR_HEIGHT + 6;
  for (const row of rows) {
    body.push(text(LABEL_WIDTH - 8, y + height / 2 + 4, row.label, "text-anchor='end'"));
    let at = 0;
    for (const [index, p] of row.phases.entries()) {
      const w = x(at + p.ms) - x(at);
      body.push(
        `<g>${rect(x(at), y, w, height, colourOf(p.label, index))}<title>${escapeXml(`${p.label} ${seconds(p.ms)} s`)}</title></g>`,
      );
      if (w > 34) body.push(text(x(at) + 3, y + height - 5, seconds(p.ms), "font-size='10' fill='white'"));
      at += p.ms;
    }
    body.push(text(WIDTH - 10, y + height / 2 + 4, row.note, "text-anchor='end' font-weight='bold'"));
    y += height + 6;
  }
  svg.push(...axis(top, y, scale, "seconds", (v) => String(Math.round(v / 100) / 10)), ...body);
  // The legend wraps at the plot's width.
  let lx = LABEL_WIDTH;
  let ly = y + 44;
  for (const [label, colour] of colours) {
    const w = 30 + label.length * 6.5;
    if (lx + w > WIDTH - 10) {
      lx = LABEL_WIDTH;
      ly += 16;
    }
    svg.push(rect(lx, ly - 10, 12, 12, colour), text(lx + 17, ly, label, "font-size='11'"));
    lx += w;
  }
  return { svg, height: ly - y0 + 14 };
}

/** The chart of a run; panels whose phase did not run are left out. */
export function renderChart(r: BenchResults): string {
  const svg: string[] = [];
  svg.push(text(10, 22, "container-links benchmark", "font-size='16' font-weight='bold'"));
  svg.push(
    text(
      10,
      40,
      `${r.startedAt} · ${r.settings.reps} interleaved repetitions · ${r.machine.cpus} CPUs, load ` +
        `${r.machine.load.start.toFixed(2)} → ${r.machine.load.end.toFixed(2)} · medians`,
      "fill='#555'",
    ),
  );
  let y = 56;

  if (r.cycle && r.profile) {
    const { ratios } = r.cycle;
    const sum = (phases: Phase[]) => phases.reduce((total, p) => total + p.ms, 0);
    const stackCycle = [
      ...r.profile.stack.up.map((p) => ({ ...p, label: `up: ${p.label}` })),
      ...r.profile.stack.destroy.map((p) => ({ ...p, label: `destroy: ${p.label}` })),
    ];
    const rows: StackedRow[] = [
      {
        label: "raw CLI (the tutorial's commands)",
        phases: r.profile.raw,
        note: `${seconds(sum(r.profile.raw))} s`,
      },
      ...(r.profile.compose
        ? [
            {
              label: "docker compose (verifies nothing)",
              phases: r.profile.compose,
              note: `${formatRatio(ratios.composeVsRaw?.cycle)} raw`,
            },
          ]
        : []),
      {
        label: "stack: up + destroy",
        phases: stackCycle,
        note: `${formatRatio(ratios.stackVsRaw.cycle)} raw`,
      },
      {
        label: "stack: no-op up",
        phases: r.profile.stack.noopUp,
        note: `${formatRatio(ratios.noopUp)} raw up`,
      },
    ];
    const panel = stackedPanel(y, "Full cycle, phase by phase (the median repetition of each path)", rows);
    svg.push(...panel.svg);
    y += panel.height;
  }

  if (r.throughput) {
    const t = r.throughput;
    const rps = (v: number) => `${v.toFixed(0)}/s`;
    const panel = barPanel(
      y,
      `App throughput, wrk -c${r.settings.wrk.connections} (app / ceiling on the right; whiskers: min–max)`,
      [
        {
          label: "counter app (Redis per request)",
          bars: [
            { summary: t.app.requestsPerSec, color: COLORS.app, label: rps(t.app.requestsPerSec.median) },
          ],
          note: formatPercent(t.ratio),
        },
        {
          label: "plain Node.js server (ceiling)",
          bars: [
            {
              summary: t.ceiling.requestsPerSec,
              color: COLORS.ceiling,
              label: rps(t.ceiling.requestsPerSec.median),
            },
          ],
          note: "",
        },
      ],
      "requests per second",
      (v) => String(Math.round(v)),
    );
    svg.push(...panel.svg);
    y += panel.height;
  }

  if (r.cycle) {
    const run = r.cycle.medianRep;
    const panel = timelinePanel(
      y,
      `pulumi up from an empty stack, repetition ${run + 1} (the median cycle): resource steps`,
      r.cycle.stack.reps[run].timelines.up,
    );
    svg.push(...panel.svg);
    y += panel.height;
  }

  return [
    `<svg xmlns='http://www.w3.org/2000/svg' width='${WIDTH}' height='${round(y + 10)}' viewBox='0 0 ${WIDTH} ${round(y + 10)}'>`,
    `<rect width='100%' height='100%' fill='white'/>`,
    ...svg,
    "</svg>",
    "",
  ].join("\n");
}

/** A Gantt chart of the resources of one `up`, with markers for the engine and program start. */
function timelinePanel(
  y0: number,
  title: string,
  timeline: TimelineSummary,
): { svg: string[]; height: number } {
  const scale = niceScale(timeline.endMs);
  const x = (ms: number) => LABEL_WIDTH + (ms / scale.top) * PLOT_WIDTH;
  const svg: string[] = [text(10, y0 + 14, title, "font-weight='bold'")];
  const markers: [string, number | null][] = [
    ["engine started", timeline.preludeMs],
    ["SDK up (stack registered)", timeline.firstResourceMs],
    ["program's first resource", timeline.programMs],
    ["up returned", timeline.endMs],
  ];
  // Marker labels sit on their own lines above the bars, so close markers do not overlap.
  const top = y0 + 24 + markers.length * 12;
  let y = top + 6;
  const body: string[] = [];
  for (const span of timeline.spans) {
    const end = span.endMs ?? timeline.endMs;
    body.push(text(LABEL_WIDTH - 8, y + 10, span.name, "text-anchor='end'"));
    body.push(rect(x(span.startMs), y, Math.max(1, x(end) - x(span.startMs)), BAR_HEIGHT - 2, COLORS.span));
    body.push(text(x(end) + 5, y + 9, `${seconds(end - span.startMs)} s`, "fill='#333' font-size='11'"));
    y += BAR_HEIGHT + 2;
  }
  markers.forEach(([name, ms], i) => {
    if (ms !== null) {
      const labelY = y0 + 34 + i * 12;
      body.push(line(x(ms), labelY + 2, x(ms), y, "#555", "stroke-dasharray='3,3'"));
      const anchor = x(ms) > LABEL_WIDTH + PLOT_WIDTH / 2 ? "end" : "start";
      const dx = anchor === "end" ? -3 : 3;
      body.push(
        text(
          x(ms) + dx,
          labelY,
          `${name} ${seconds(ms)} s`,
          `fill='#555' font-size='10' text-anchor='${anchor}'`,
        ),
      );
    }
  });
  svg.push(
    ...axis(top, y, scale, "seconds since the up started", (v) => String(Math.round(v / 100) / 10)),
    ...body,
  );
  return { svg, height: y - y0 + 36 };
}
