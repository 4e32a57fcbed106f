// The bench's results as summaries, tables, Markdown and the SVG chart, from made-up repetitions
// whose medians and ratios are worked out by hand.
import { execFileSync } from "child_process";
import * as path from "path";
import { renderChart } from "../../bench/chart";
import { escapeXml, niceScale } from "../../bench/svg";
import { replaceSection } from "../../bench/format";
import { renderMarkdown, renderText, threeWayRows } from "../../bench/report";
import {
  BenchResults,
  buildProfile,
  ComposeRep,
  RAW_STEPS,
  RawRep,
  RawStepId,
  StackRep,
  summarizeCycle,
  summarizeThroughput,
  targetsOf,
  ThroughputRep,
} from "../../bench/results";
import { summarizeTimeline, TimelineEvent } from "../../bench/timeline";
import { WrkResult } from "../../bench/wrk";

/** A raw run whose steps take 100, 200, ... ms times `scale` (the whole run: 4.5 s times scale). */
function rawRep(scale: number): RawRep {
  const steps = Object.fromEntries(RAW_STEPS.map(({ id }, i) => [id, (i + 1) * 100 * scale])) as Record<
    RawStepId,
    number
  >;
  return {
    steps,
    upMs: 300 * scale,
    firstOkMs: 600 * scale,
    verifiedMs: 3600 * scale,
    downMs: 900 * scale,
    cycleMs: 4500 * scale,
  };
}

const composeRep = (cycleMs: number): ComposeRep => ({
  upMs: 1500,
  firstOkMs: 2000,
  downMs: cycleMs - 2000,
  cycleMs,
});

function stackRep(cycleMs: number): StackRep {
  const urn = (type: string, name: string) => `urn:pulumi:s::container-links::${type}::${name}`;
  const net = urn("docker:index/network:Network", "redis<net>");
  const check = urn("container-links:verify:Verification$command:local:Command", "verify-http");
  const upEvents: TimelineEvent[] = [
    { ms: 500, kind: "prelude" },
    {
      ms: 1500,
      kind: "pre",
      urn: urn("pulumi:pulumi:Stack", "s"),
      type: "pulumi:pulumi:Stack",
      op: "create",
    },
    { ms: 2000, kind: "pre", urn: net, type: "docker:index/network:Network", op: "create" },
    { ms: 3000, kind: "outputs", urn: net, type: "docker:index/network:Network", op: "create" },
    { ms: 3000, kind: "pre", urn: check, type: "command:local:Command", op: "create" },
    { ms: 3800, kind: "outputs", urn: check, type: "command:local:Command", op: "create" },
  ];
  const up = summarizeTimeline(upEvents, 4000);
  const destroy = summarizeTimeline([{ ms: 500, kind: "prelude" }], cycleMs - 4000);
  return {
    upMs: 4000,
    firstOkMs: 3500,
    downMs: cycleMs - 4000,
    cycleMs,
    noopUpMs: 3000,
    noopChanges: {},
    timelines: { up, noopUp: summarizeTimeline([], 3000), destroy },
  };
}

function wrk(requestsPerSec: number): WrkResult {
  return {
    requests: requestsPerSec * 10,
    durationMs: 10_000,
    requestsPerSec,
    latencyMs: { p50: 5, p75: 6, p90: 7, p99: 9 },
    errorResponses: 0,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

function throughputRep(app: number, ceiling: number): ThroughputRep {
  const counter = {
    before: 0,
    after: app * 10 + 50,
    counted: app * 10 + 50,
    completed: app * 10,
    inFlightAtStop: 50,
    ok: true,
    problems: [],
  };
  return { app: { ...wrk(app), counter }, ceiling: wrk(ceiling) };
}

function results(): BenchResults {
  // Raw cycles 4.5, 9, 13.5 s (median 9); compose 6, 8, 7 s (median 7); stack 14, 18, 16 s (median 16).
  const cycle = summarizeCycle(
    [rawRep(1), rawRep(2), rawRep(3)],
    { tool: "docker-compose 1.29.2", reps: [composeRep(6000), composeRep(8000), composeRep(7000)] },
    [stackRep(14_000), stackRep(18_000), stackRep(16_000)],
  );
  const throughput = summarizeThroughput([
    throughputRep(800, 1000),
    throughputRep(900, 1000),
    throughputRep(700, 1000),
  ]);
  return {
    schema: 2,
    startedAt: "2026-12-01T10:00:00.000Z",
    finishedAt: "2026-12-01T10:05:00.000Z",
    machine: {
      hostname: "vm",
      cpus: 2,
      cpuModel: "cpu",
      load: { start: 0.5, end: 1 },
      node: "v20",
      docker: "20.10",
      pulumi: "3.248.0",
      wrk: "wrk 4",
    },
    settings: {
      reps: 3,
      images: { redis: "redis:7.0", app: "container-links/bench-app:abc", probe: "busybox", node: "node" },
      ports: { raw: 3171, compose: 3174, stack: 3172, throughput: 3173 },
      stackName: "it-bench-1-abcdef",
      wrk: { threads: 2, connections: 50, durationS: 10, warmupS: 2, pinned: true },
    },
    cycle,
    profile: buildProfile(cycle, null),
    throughput,
    targets: targetsOf(cycle, throughput),
  };
}

describe("summaries", () => {
  test("ratios are of the medians: stack 16 s over raw 9 s and compose 7 s; the median cycle's run is kept", () => {
    const { cycle } = results();
    expect(cycle!.ratios.stackVsRaw.cycle).toBeCloseTo(16 / 9, 9);
    expect(cycle!.ratios.stackVsCompose!.cycle).toBeCloseTo(16 / 7, 9);
    expect(cycle!.ratios.composeVsRaw!.cycle).toBeCloseTo(7 / 9, 9);
    // No-op up 3 s over the raw up to verified (3.6, 7.2, 10.8 s: median 7.2).
    expect(cycle!.ratios.noopUp).toBeCloseTo(3 / 7.2, 9);
    // Pair by pair: 14/4.5, 18/9, 16/13.5.
    expect(cycle!.ratios.cyclePairs.map((r) => r.toFixed(3))).toEqual(["3.111", "2.000", "1.185"]);
    expect(cycle!.medianRep).toBe(2);
  });

  test("without compose there is no compose ratio and no compose target", () => {
    const cycle = summarizeCycle([rawRep(1)], null, [stackRep(9000)]);
    expect(cycle.ratios.stackVsCompose).toBeNull();
    expect(targetsOf(cycle, null).find((t) => t.id === "vsCompose")).toMatchObject({
      value: null,
      pass: null,
    });
  });

  test("throughput: the ratio of the medians, and the spread of the pairs' ratios", () => {
    const t = results().throughput!;
    expect(t.ratio).toBeCloseTo(0.8, 9);
    expect(t.pairRatios).toMatchObject({ median: 0.8, min: 0.7, max: 0.9 });
    expect(t.counterOk).toBe(true);
  });

  test("the profile lays each path's median cycle out as phases", () => {
    const p = results().profile!;
    expect(p.raw.map((x) => x.ms)).toEqual(RAW_STEPS.map((_, i) => (i + 1) * 200));
    expect(p.compose!.map((x) => x.ms)).toEqual([1500, 500, 5000]);
    expect(p.stack.up.map((x) => [x.label, x.ms])).toEqual([
      ["CLI start", 500],
      ["language host + SDK", 1000],
      ["program", 500],
      ["resources", 1000],
      ["checks", 800],
      ["finish", 200],
    ]);
  });
});

describe("report", () => {
  test("the three-way table: medians [min–max] per path and the three ratios", () => {
    const rows = threeWayRows(results().cycle!);
    expect(rows[0]).toEqual([
      "seconds",
      "raw CLI",
      "compose",
      "stack",
      "stack/raw",
      "stack/compose",
      "compose/raw",
    ]);
    expect(rows.find((r) => r[0] === "full cycle")).toEqual([
      "full cycle",
      "9.00 [4.50–13.50]",
      "7.00 [6.00–8.00]",
      "16.00 [14.00–18.00]",
      "1.78x",
      "2.29x",
      "0.78x",
    ]);
  });

  test("the text report has the table, the profile, the counter check and a verdict per target", () => {
    const text = renderText(results());
    expect(text).toContain("stack/compose");
    expect(text).toContain("Profile: where the stack's seconds go");
    expect(text).toContain("counter check: ok");
    expect(text).toMatch(/PASS {2}full cycle: stack \/ raw CLI: 1\.78x \(target <= 2\.00x\)/);
    expect(text).toMatch(/MISS {2}full cycle: stack \/ docker compose: 2\.29x/);
    expect(text).toMatch(/MISS {2}app requests\/s \/ plain Node.js ceiling: 80% \(target >= 85%\)/);
  });

  test("a failed counter check is reported as such", () => {
    const r = results();
    r.throughput!.counterOk = false;
    r.throughput!.reps[1].app.counter.problems = [
      "the counter rose by 10, less than the 20 requests wrk completed",
    ];
    expect(renderText(r)).toContain("counter check: FAILED (run 2: the counter rose by 10");
  });
});

describe("the README section", () => {
  const README =
    "# Bench\n\n## Performance\n\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\n\n## More\n";

  test("replaceSection swaps only what lies between the markers, with blank lines around it", () => {
    const once = replaceSection(README, "new\ntable\n");
    expect(once).toBe(
      "# Bench\n\n## Performance\n\n<!-- bench:results:start -->\n\nnew\ntable\n\n<!-- bench:results:end -->\n\n## More\n",
    );
    expect(replaceSection(once, "new\ntable\n")).toBe(once);
    expect(() => replaceSection("# Bench\n<!-- bench:results:end -->\n", "x")).toThrow(/markers/);
  });

  // `npm run lint` runs prettier --check over the READMEs: a run's section must already be in
  // prettier's form, or every --update-readme would break the lint. (prettier's CLI: its API needs
  // jest's experimental VM modules.)
  test("a README with a run's section is as prettier formats it", () => {
    const readme = replaceSection(README, renderMarkdown(results()));
    const repo = path.join(__dirname, "..", "..");
    const formatted = execFileSync(
      process.execPath,
      [
        path.join(repo, "node_modules", "prettier", "bin", "prettier.cjs"),
        "--stdin-filepath",
        "bench/README.md",
      ],
      { cwd: repo, input: readme, encoding: "utf8", timeout: 30_000 },
    );
    expect(formatted).toBe(readme);
  });
});

describe("the SVG chart", () => {
  test("niceScale: steps of 1, 2 or 5 times a power of ten, top a multiple of the step", () => {
    expect(niceScale(7.3)).toEqual({ step: 2, top: 8 });
    expect(niceScale(31_580)).toEqual({ step: 10_000, top: 40_000 });
    expect(niceScale(0)).toEqual({ step: 1, top: 1 });
  });

  test("escapeXml", () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe("a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  });

  /** Tags open and close in order (a small well-formedness check; no XML parser in the project). */
  function balanced(svg: string): boolean {
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      const [, closing, name, selfClosing] = m;
      if (selfClosing) continue;
      if (closing) {
        if (stack.pop() !== name) return false;
      } else {
        stack.push(name);
      }
    }
    return stack.length === 0;
  }

  test("is one well-formed svg element with the three panels, labels escaped", () => {
    const svg = renderChart(results());
    expect(svg.startsWith("<svg xmlns='http://www.w3.org/2000/svg'")).toBe(true);
    expect(balanced(svg)).toBe(true);
    for (const [tag] of svg.matchAll(/<[a-zA-Z]+\s[^>]*>/g)) {
      const names = [...tag.matchAll(/\s([a-zA-Z:-]+)=/g)].map((m) => m[1]);
      expect({ tag, duplicates: names.filter((n, i) => names.indexOf(n) !== i) }).toEqual({
        tag,
        duplicates: [],
      });
    }
    expect(svg).toContain("Full cycle, phase by phase");
    expect(svg).toContain("App throughput");
    expect(svg).toContain("redis&lt;net&gt;");
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  test("each path's bar is as long as its phases together: raw 9 s, compose 7 s, the stack 16 s", () => {
    const svg = renderChart(results());
    const rows = svg.slice(svg.indexOf("Full cycle, phase by phase"), svg.indexOf("App throughput"));
    // Segments of one bar share a y; sum each bar's widths.
    const bars = new Map<string, number>();
    for (const m of rows.matchAll(/<rect x='[\d.]+' y='([\d.]+)' width='([\d.]+)' height='18'/g)) {
      bars.set(m[1], (bars.get(m[1]) ?? 0) + Number(m[2]));
    }
    const [raw, compose, stack] = [...bars.values()];
    expect(compose / raw).toBeCloseTo(7 / 9, 1);
    expect(stack / raw).toBeCloseTo(16 / 9, 1);
  });
});
