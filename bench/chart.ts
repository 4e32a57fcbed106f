// bench/results/latest.svg: a run as a Vega-Lite chart, rendered without a browser (vega's
// View#toSVG with the "none" renderer). Panels: each path's cycle step by step (its median
// repetition) and the Pulumi paths' no-op up; the app's throughput next to the ceiling; each Pulumi
// path's resource steps in its first up.
import type { TopLevelSpec } from "vega-lite";
import { medianRep, summaryOf } from "./report";
import { BenchResults } from "./results";
import { ratio, summarize } from "./stats";

const seconds = (ms: number) => Math.round(ms) / 1000;

/** The cycle panel's segments: one row per path and per no-op up, steps laid end to end. */
export function cycleBars(r: BenchResults) {
  const cycle = (reps: BenchResults["paths"][number]["reps"]) => summaryOf(reps, (x) => x.cycleMs)!;
  const [base] = r.paths;
  const rows = r.paths.flatMap((p) => {
    const rep = medianRep(p.reps);
    const vs = p === base ? "" : ` (${ratio(cycle(p.reps), cycle(base.reps)).toFixed(2)}x)`;
    const full: [string, Record<string, number>] = [`${p.label}: full cycle${vs}`, rep.steps];
    return rep.noopSteps ? [full, [`${p.label}: no-op up`, rep.noopSteps] as typeof full] : [full];
  });
  // A segment is labelled with its seconds where they fit: wider than 1/18 of the longest bar.
  const longest = Math.max(...rows.map(([, steps]) => Object.values(steps).reduce((a, b) => a + b, 0)));
  return rows.flatMap(([row, steps]) => {
    let at = 0;
    return Object.entries(steps).map(([step, ms]) => {
      at += ms;
      const label = ms > longest / 18 ? (ms / 1000).toFixed(2) : "";
      // The Pulumi paths' up and destroy share their phases' colours.
      const [start, end] = [seconds(at - ms), seconds(at)];
      return { row, step: step.replace(/^(up|destroy): /, ""), start, end, label };
    });
  });
}

/**
 * Bars from `start` to `end` by `row` in data order, `label` at their end (inside them when coloured
 * by `step`), with whiskers from `min` to `max`.
 */
function panel(title: string, x: string, y: string, values: object[], whiskers = false): object {
  const byStep = values.some((v) => "step" in v);
  const quantity = (field: string) => ({ field, type: "quantitative" });
  return {
    title,
    data: { values },
    encoding: { y: { field: "row", type: "nominal", sort: null, title: y, axis: { labelLimit: 300 } } },
    layer: [
      {
        mark: { type: "bar", stroke: "white", strokeWidth: 0.5 },
        encoding: {
          x: { ...quantity("start"), title: x },
          x2: { field: "end" },
          ...(byStep && {
            color: { field: "step", sort: null, scale: { scheme: "tableau20" }, title: "step" },
          }),
        },
      },
      ...(whiskers ? [{ mark: "rule", encoding: { x: quantity("min"), x2: { field: "max" } } }] : []),
      {
        mark: {
          type: "text",
          fontSize: 10,
          ...(byStep ? { align: "right", dx: -2, color: "white" } : { align: "left", dx: 3 }),
        },
        encoding: { x: quantity(whiskers ? "max" : "end"), text: { field: "label" } },
      },
    ],
  };
}

export function chartSpec(r: BenchResults): TopLevelSpec {
  const panels: object[] = [];
  if (r.paths.length > 0) {
    const title = "Full cycle, step by step: each path's median repetition (full cycle over the first's)";
    panels.push(panel(title, "seconds", "path", cycleBars(r)));
  }
  if (r.throughput) {
    const sides = { app: "counter app (Redis per request)", ceiling: "plain Node.js server (ceiling)" };
    const [app, ceiling] = Object.entries(sides).map(([side, row]) => {
      const s = summarize(r.throughput!.map((x) => x[side as keyof typeof sides].requestsPerSec));
      return { row, start: 0, end: s.median, min: s.min, max: s.max, label: s.median.toFixed(0) };
    });
    const share = Math.round((app.end / ceiling.end) * 100);
    const title = `App throughput: median, whiskers min–max; app / ceiling ${share}%`;
    panels.push(panel(title, "requests per second", "server", [app, ceiling], true));
  }
  for (const p of r.paths.filter((x) => x.reps[0].spans?.length)) {
    const rep = medianRep(p.reps);
    const bars = rep.spans!.map(({ name, startMs, endMs }) => {
      const [start, end] = [seconds(startMs), seconds(endMs ?? rep.upMs)];
      return { row: name, start, end, label: `${(end - start).toFixed(2)} s` };
    });
    const which = `repetition ${p.reps.indexOf(rep) + 1} (the median)`;
    const title = `${p.label}: each resource step of the first up, ${which}`;
    panels.push(panel(title, "seconds since the up started", "resource", bars));
  }
  const [m, load] = [r.machine, `${r.machine.load.start} → ${r.machine.load.end}`];
  return {
    title: {
      text: "container-links benchmark",
      subtitle: `${r.startedAt} · ${r.settings.reps} repetitions · ${m.cpus} CPUs, load ${load}`,
    },
    config: { view: { continuousWidth: 560 }, legend: { orient: "bottom", columns: 4, labelLimit: 260 } },
    vconcat: panels,
    resolve: { scale: { x: "independent" } },
  } as TopLevelSpec;
}

/** The SVG of a run's chart. vega and vega-lite are ES modules, hence import(). */
export async function renderChart(r: BenchResults): Promise<string> {
  const [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  const view = new vega.View(vega.parse(vl.compile(chartSpec(r)).spec), { renderer: "none" });
  return (await view.toSVG()) + "\n";
}
