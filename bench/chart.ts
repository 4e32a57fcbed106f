// bench/results/latest.svg: the run's results as a plain SVG bar chart, written by hand (no
// dependencies). Three panels: the deploy cycle (raw CLI vs stack, seconds), the app's throughput
// next to the plain Node.js ceiling (requests/s), and the `pulumi up` timeline of the median run.
// Bars are medians, whiskers span min to max. Pure: returns the SVG text.
import { BenchResults, formatPercent, formatRatio, seconds } from "./report";
import { Summary, TimelineSummary } from "./stats";

const WIDTH = 860;
const LABEL_WIDTH = 250;
const NOTE_WIDTH = 70;
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - NOTE_WIDTH - 20;
const BAR_HEIGHT = 12;
const FONT = "font-family='sans-serif' font-size='12'";

export const COLORS = {
  raw: "#4e79a7",
  stack: "#f28e2b",
  app: "#59a14f",
  ceiling: "#9c9c9c",
  span: "#e15759",
  grid: "#dddddd",
  text: "#222222",
};

/** Characters that may not appear as such in SVG text or attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] as string,
  );
}

/**
 * An axis from 0 with "nice" ticks (1, 2 or 5 times a power of ten) covering `max` in at most
 * `maxTicks` steps: { step, top } with top >= max a multiple of step.
 */
export function niceScale(max: number, maxTicks = 6): { step: number; top: number } {
  if (!(max > 0) || !Number.isFinite(max)) {
    return { step: 1, top: 1 };
  }
  const rough = max / maxTicks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return { step, top: Math.ceil(max / step - 1e-9) * step };
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function text(x: number, y: number, content: string, attrs = ""): string {
  // An attribute may appear once per element: `attrs` can override the default font size.
  const font = attrs.includes("font-size=") ? FONT.replace(/ font-size='[^']*'/, "") : FONT;
  return `<text x='${round(x)}' y='${round(y)}' ${font}${attrs ? ` ${attrs}` : ""}>${escapeXml(content)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string): string {
  return `<rect x='${round(x)}' y='${round(y)}' width='${round(Math.max(0, w))}' height='${round(h)}' fill='${fill}'/>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ""): string {
  return `<line x1='${round(x1)}' y1='${round(y1)}' x2='${round(x2)}' y2='${round(y2)}' stroke='${stroke}'${extra ? ` ${extra}` : ""}/>`;
}

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

/** An x axis with grid lines from `top` to `bottom`; returns the SVG elements. */
function axis(
  top: number,
  bottom: number,
  scale: { step: number; top: number },
  unit: string,
  format: (v: number) => string,
): string[] {
  const out: string[] = [];
  for (let v = 0; v <= scale.top + 1e-9; v += scale.step) {
    const x = LABEL_WIDTH + (v / scale.top) * PLOT_WIDTH;
    out.push(line(x, top, x, bottom, COLORS.grid));
    out.push(text(x, bottom + 14, format(v), "text-anchor='middle' fill='#555'"));
  }
  out.push(text(LABEL_WIDTH + PLOT_WIDTH, bottom + 28, unit, "text-anchor='end' fill='#555'"));
  return out;
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

function legend(y: number, entries: [string, string][]): string[] {
  const out: string[] = [];
  let x = LABEL_WIDTH;
  for (const [label, color] of entries) {
    out.push(rect(x, y - 10, 12, 12, color), text(x + 17, y, label));
    x += 30 + label.length * 7;
  }
  return out;
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
        `${r.machine.load.start.toFixed(2)} → ${r.machine.load.end.toFixed(2)} · bars: median, whiskers: min–max`,
      "fill='#555'",
    ),
  );
  let y = 56;
  const secs = (v: number) => `${seconds(v)} s`;

  if (r.cycle) {
    const { raw, stack, ratios } = r.cycle;
    svg.push(
      ...legend(y + 8, [
        ["raw CLI", COLORS.raw],
        ["stack (pulumi CLI)", COLORS.stack],
      ]),
    );
    y += 16;
    const pair = (label: string, rawS: Summary, stackS: Summary, ratioValue: number): BarRow => ({
      label,
      bars: [
        { summary: rawS, color: COLORS.raw, label: secs(rawS.median) },
        { summary: stackS, color: COLORS.stack, label: secs(stackS.median) },
      ],
      note: formatRatio(ratioValue),
    });
    const panel = barPanel(
      y,
      "Deploy cycle (stack / raw on the right)",
      [
        pair("up to verified", raw.upVerify, stack.up, ratios.up),
        pair("no-op up (raw: up+verify)", raw.upVerify, stack.noopUp, ratios.noopUp),
        pair("preview (raw: up+verify)", raw.upVerify, stack.preview, ratios.preview),
        pair("teardown (rm -f / destroy)", raw.steps.rm, stack.destroy, ratios.teardown),
        pair("full cycle", raw.total, stack.cycle, ratios.fullCycle),
      ],
      "seconds",
      (v) => String(Math.round(v / 100) / 10),
    );
    svg.push(...panel.svg);
    y += panel.height;
  }

  if (r.throughput) {
    const t = r.throughput;
    const rps = (v: number) => `${v.toFixed(0)}/s`;
    const panel = barPanel(
      y,
      `App throughput, wrk -c${r.settings.wrk.connections} (app / ceiling on the right)`,
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
    const run = r.cycle.medianUpRep;
    const panel = timelinePanel(
      y,
      `pulumi up from an empty stack, run ${run + 1} (the median): resources`,
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
    ["program's first resource", timeline.firstResourceMs],
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
