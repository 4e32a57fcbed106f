// The benchmark's pure parts: statistics, wrk's output, the counter check, the up timeline, the
// options, the table, the README section and the SVG chart. Expected values are worked out by hand.
import { execFileSync } from "child_process";
import * as path from "path";
import { escapeXml, niceScale, renderChart } from "../../bench/chart";
import { parseOptions } from "../../bench/options";
import {
  BenchResults,
  cycleRows,
  formatPercent,
  formatRatio,
  formatSummary,
  formatTable,
  RAW_STEPS,
  RawRep,
  RawStepId,
  renderMarkdown,
  renderText,
  replaceSection,
  seconds,
  slowestSteps,
  StackRep,
  summarizeCycle,
  summarizeThroughput,
  targetsOf,
  ThroughputRep,
  timelineRows,
} from "../../bench/report";
import {
  checkCounter,
  evaluateTargets,
  parseWrk,
  parseWrkTime,
  ratio,
  summarize,
  summarizeTimeline,
  TimelineEvent,
  TimelineSummary,
  WrkResult,
} from "../../bench/stats";

// What `wrk -t2 -c50 -d3s --latency` printed against the app on this machine.
const WRK_OUTPUT = `Running 3s test @ http://127.0.0.1:3179/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   115.89ms   87.18ms 363.77ms   67.49%
    Req/Sec   282.12    197.90   750.00     60.47%
  Latency Distribution
     50%   85.07ms
     75%  161.68ms
     90%  255.97ms
     99%  340.21ms
  1427 requests in 3.09s, 484.19KB read
Requests/sec:    461.96
Transfer/sec:    156.75KB
`;

// The same run shape with errors, as wrk prints them (between the totals and Requests/sec).
const WRK_OUTPUT_WITH_ERRORS = `Running 10s test @ http://127.0.0.1:3173/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   850.00us  120.00us   3.00ms   90.00%
    Req/Sec    12.10k     1.00k   14.00k    70.00%
  Latency Distribution
     50%  820.00us
     75%  900.00us
     90%    1.00ms
     99%    1.20s
  241000 requests in 10.00s, 50.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 17
Requests/sec:  24100.00
Transfer/sec:      5.00MB
`;

function wrkResult(overrides: Partial<WrkResult> = {}): WrkResult {
  return {
    requests: 1000,
    durationMs: 10_000,
    requestsPerSec: 100,
    latencyMs: { p50: 5, p75: 6, p90: 7, p99: 9 },
    errorResponses: 0,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
    ...overrides,
  };
}

describe("summarize", () => {
  test("an odd count: the middle value, min and max", () => {
    expect(summarize([30, 10, 20])).toEqual({ n: 3, median: 20, min: 10, max: 30 });
  });

  test("an even count: the mean of the two middle values", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, min: 1, max: 4 });
  });

  test("one value is its own median, min and max", () => {
    expect(summarize([7])).toEqual({ n: 1, median: 7, min: 7, max: 7 });
  });

  test("leaves its input unsorted", () => {
    const values = [3, 1, 2];
    summarize(values);
    expect(values).toEqual([3, 1, 2]);
  });

  test("refuses no values and non-finite ones", () => {
    expect(() => summarize([])).toThrow(/empty/);
    expect(() => summarize([1, NaN])).toThrow(/finite/);
    expect(() => summarize([Infinity])).toThrow(/finite/);
  });
});

describe("ratio", () => {
  test("divides the medians", () => {
    expect(ratio(summarize([30, 60, 90]), summarize([10, 20, 1000]))).toBe(3);
  });

  test("is NaN over a zero median", () => {
    expect(ratio(summarize([1]), summarize([0]))).toBeNaN();
  });
});

describe("evaluateTargets", () => {
  test("limits are inclusive: exactly 3x, 1.5x and 80% pass", () => {
    const targets = evaluateTargets({ fullCycle: 3, noopUp: 1.5, throughput: 0.8 });
    expect(targets.map((t) => [t.id, t.pass])).toEqual([
      ["fullCycle", true],
      ["noopUp", true],
      ["throughput", true],
    ]);
  });

  test("just past a limit is a miss", () => {
    const targets = evaluateTargets({ fullCycle: 3.01, noopUp: 1.51, throughput: 0.79 });
    expect(targets.map((t) => t.pass)).toEqual([false, false, false]);
  });

  test("a phase that did not run is not measured; a NaN ratio is a miss", () => {
    const targets = evaluateTargets({ fullCycle: NaN });
    expect(targets[0]).toMatchObject({ id: "fullCycle", pass: false });
    expect(targets[1]).toMatchObject({ id: "noopUp", value: null, pass: null });
    expect(targets[2]).toMatchObject({
      id: "throughput",
      value: null,
      pass: null,
      comparison: ">=",
      limit: 0.8,
    });
  });
});

describe("parseWrkTime", () => {
  test.each([
    ["850.00us", 0.85],
    ["85.07ms", 85.07],
    ["1.20s", 1200],
    ["2.00m", 120_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseWrkTime(text)).toBeCloseTo(ms, 6);
  });

  test("refuses anything else", () => {
    expect(() => parseWrkTime("12")).toThrow(/not a wrk time/);
    expect(() => parseWrkTime("1.2 ms")).toThrow(/not a wrk time/);
  });
});

describe("parseWrk", () => {
  test("a clean run: totals, rate and percentiles; no error lines means zero errors", () => {
    expect(parseWrk(WRK_OUTPUT)).toEqual({
      requests: 1427,
      durationMs: 3090,
      requestsPerSec: 461.96,
      latencyMs: { p50: 85.07, p75: 161.68, p90: 255.97, p99: 340.21 },
      errorResponses: 0,
      socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
    });
  });

  test("error responses and socket errors are read; mixed units are converted", () => {
    const r = parseWrk(WRK_OUTPUT_WITH_ERRORS);
    expect(r.requests).toBe(241000);
    expect(r.requestsPerSec).toBe(24100);
    expect(r.errorResponses).toBe(17);
    expect(r.socketErrors).toEqual({ connect: 0, read: 3, write: 0, timeout: 2 });
    expect(r.latencyMs.p50).toBeCloseTo(0.82, 6);
    expect(r.latencyMs.p99).toBe(1200);
  });

  test("without --latency there are no percentiles: an error naming the missing line", () => {
    const noLatency = WRK_OUTPUT.replace(/ {2}Latency Distribution[\s\S]*?(?= {2}1427)/, "");
    expect(() => parseWrk(noLatency)).toThrow(/50% latency/);
  });

  test("output that is not wrk's is an error", () => {
    expect(() => parseWrk("unable to connect to 127.0.0.1:3173 Connection refused\n")).toThrow(
      /"N requests in T" line/,
    );
  });
});

describe("checkCounter", () => {
  test("counted = completed + one in flight per connection: ok", () => {
    const c = checkCounter(1, 1478, wrkResult({ requests: 1427 }), 50);
    expect(c).toEqual({
      before: 1,
      after: 1478,
      counted: 1477,
      completed: 1427,
      inFlightAtStop: 50,
      ok: true,
      problems: [],
    });
  });

  test("exactly the completed requests: ok", () => {
    expect(checkCounter(10, 1010, wrkResult({ requests: 1000 }), 50).ok).toBe(true);
  });

  test("fewer counted than completed: lost increments", () => {
    const c = checkCounter(0, 999, wrkResult({ requests: 1000 }), 50);
    expect(c.ok).toBe(false);
    expect(c.inFlightAtStop).toBe(-1);
    expect(c.problems).toEqual(["the counter rose by 999, less than the 1000 requests wrk completed"]);
  });

  test("more counted than one in flight per connection: counted twice or by someone else", () => {
    const c = checkCounter(0, 1051, wrkResult({ requests: 1000 }), 50);
    expect(c.ok).toBe(false);
    expect(c.problems[0]).toMatch(/51 more than the 1000 requests .* at most 50/);
  });

  test("error responses and socket errors fail the check even when the counts fit", () => {
    const c = checkCounter(
      0,
      1000,
      wrkResult({
        requests: 1000,
        errorResponses: 2,
        socketErrors: { connect: 0, read: 1, write: 0, timeout: 0 },
      }),
      50,
    );
    expect(c.ok).toBe(false);
    expect(c.problems).toEqual([
      "2 responses were not 2xx/3xx",
      "socket errors: connect 0, read 1, write 0, timeout 0",
    ]);
  });
});

describe("summarizeTimeline", () => {
  const STACK = "urn:pulumi:s::container-links::pulumi:pulumi:Stack::container-links-s";
  const NET = "urn:pulumi:s::container-links::docker:index/network:Network::redis-server-network";
  const COMPONENT = "urn:pulumi:s::container-links::container-links:redis:RedisServer::redis-server";
  const CHECK =
    "urn:pulumi:s::container-links::container-links:verify:Verification$command:local:Command::verify-env";
  const events: TimelineEvent[] = [
    { ms: 900, kind: "prelude" },
    { ms: 3900, kind: "pre", urn: STACK, type: "pulumi:pulumi:Stack", op: "create" },
    { ms: 4000, kind: "pre", urn: COMPONENT, type: "container-links:redis:RedisServer", op: "create" },
    { ms: 9650, kind: "pre", urn: NET, type: "docker:index/network:Network", op: "create" },
    { ms: 12020, kind: "outputs", urn: NET, type: "docker:index/network:Network", op: "create" },
    { ms: 17580, kind: "pre", urn: CHECK, type: "command:local:Command", op: "create" },
    { ms: 18000, kind: "failed", urn: CHECK, type: "command:local:Command", op: "create" },
    { ms: 26000, kind: "outputs", urn: COMPONENT, type: "container-links:redis:RedisServer", op: "create" },
    { ms: 26400, kind: "summary" },
  ];

  test("marks, and spans of custom resources only (not the stack, not components)", () => {
    expect(summarizeTimeline(events, 31_500)).toEqual({
      preludeMs: 900,
      firstResourceMs: 3900,
      lastResourceMs: 12020,
      summaryMs: 26400,
      endMs: 31_500,
      spans: [
        {
          name: "redis-server-network",
          type: "docker:index/network:Network",
          op: "create",
          startMs: 9650,
          endMs: 12020,
        },
        { name: "verify-env", type: "command:local:Command", op: "create", startMs: 17580, endMs: null },
      ],
    });
  });

  test("no events: every mark is null", () => {
    expect(summarizeTimeline([], 1000)).toEqual({
      preludeMs: null,
      firstResourceMs: null,
      lastResourceMs: null,
      summaryMs: null,
      endMs: 1000,
      spans: [],
    });
  });
});

describe("parseOptions", () => {
  test("defaults: 3 reps, both phases, wrk -t2 -c50 -d10s", () => {
    expect(parseOptions([])).toEqual({
      reps: 3,
      phases: ["cycle", "throughput"],
      durationS: 10,
      connections: 50,
      threads: 2,
      updateReadme: false,
      help: false,
    });
  });

  test("--flag value and --flag=value", () => {
    expect(
      parseOptions(["--reps", "1", "--duration=2", "--only", "throughput", "--update-readme"]),
    ).toMatchObject({
      reps: 1,
      durationS: 2,
      phases: ["throughput"],
      updateReadme: true,
    });
  });

  test.each([
    [["--reps", "0"], /--reps needs an integer from 1/],
    [["--reps"], /--reps needs an integer/],
    [["--duration", "1.5"], /--duration needs an integer/],
    [["--only", "raw"], /--only needs cycle or throughput/],
    [["--fast"], /unknown option "--fast"/],
    [["--threads", "8", "--connections", "4"], /cannot exceed --connections/],
  ])("%j is refused", (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------------
// Reports

function rawRep(scale: number): RawRep {
  const steps = Object.fromEntries(RAW_STEPS.map(({ id }, i) => [id, (i + 1) * 100 * scale])) as Record<
    RawStepId,
    number
  >;
  // The steps add up to 4500 * scale; rm is the last, 900 * scale.
  return { steps, upVerifyMs: 3600 * scale, totalMs: 4500 * scale };
}

function timeline(endMs: number): TimelineSummary {
  return {
    preludeMs: 800,
    firstResourceMs: 3900,
    lastResourceMs: endMs - 5000,
    summaryMs: endMs - 4800,
    endMs,
    spans: [
      {
        name: "probe-image",
        type: "docker:index/remoteImage:RemoteImage",
        op: "create",
        startMs: 9600,
        endMs: 9770,
      },
      { name: "verify-env", type: "command:local:Command", op: "create", startMs: 17580, endMs: 26210 },
      {
        name: "redis-server",
        type: "docker:index/container:Container",
        op: "create",
        startMs: 12050,
        endMs: 14870,
      },
      { name: "verify-keys", type: "command:local:Command", op: "create", startMs: 23140, endMs: null },
    ],
  };
}

function stackRep(upMs: number): StackRep {
  const t = timeline(upMs);
  return {
    upMs,
    noopUpMs: 20_000,
    previewMs: 15_000,
    destroyMs: 7_000,
    cycleMs: upMs + 7_000,
    noopChanges: {},
    previewChanges: {},
    timelines: { up: t, noopUp: timeline(20_000), preview: timeline(15_000), destroy: timeline(7_000) },
  };
}

function throughputRep(appRps: number, ceilingRps: number): ThroughputRep {
  const app = wrkResult({ requestsPerSec: appRps, requests: appRps * 10 });
  return {
    app: { ...app, counter: checkCounter(5, 5 + app.requests + 50, app, 50) },
    ceiling: wrkResult({ requestsPerSec: ceilingRps, latencyMs: { p50: 1, p75: 2, p90: 3, p99: 3 } }),
  };
}

function results(): BenchResults {
  // Raw reps at scales 1, 2 and 3: medians upVerify 7200, total 9000, rm 1800.
  const cycle = summarizeCycle(
    [rawRep(1), rawRep(3), rawRep(2)],
    [stackRep(36_000), stackRep(30_000), stackRep(33_000)],
  );
  const throughput = summarizeThroughput([
    throughputRep(2000, 3000),
    throughputRep(2400, 3000),
    throughputRep(1800, 2000),
  ]);
  return {
    schema: 1,
    startedAt: "2026-11-27T18:40:00.000Z",
    finishedAt: "2026-11-27T18:50:00.000Z",
    machine: {
      hostname: "vm",
      cpus: 2,
      cpuModel: "test cpu",
      load: { start: 0.5, end: 1.25 },
      node: "v20.20.2",
      docker: "20.10.24",
      pulumi: "3.248.0",
      wrk: "wrk 4.1.0",
    },
    settings: {
      reps: 3,
      images: {
        redis: "redis:7.0",
        app: "bench-app:abc",
        probe: "busybox:1.35",
        node: "node:18-bookworm-slim",
      },
      ports: { raw: 3171, stack: 3172, throughput: 3173 },
      stackName: "it-bench-1-abcdef",
      wrk: { threads: 2, connections: 50, durationS: 10, warmupS: 2 },
    },
    cycle,
    throughput,
    targets: targetsOf(cycle, throughput),
  };
}

describe("summarizeCycle and summarizeThroughput", () => {
  test("ratios are stack over raw medians; the median up's run is picked for the timeline", () => {
    const r = results();
    expect(r.cycle!.raw.upVerify.median).toBe(7200);
    expect(r.cycle!.raw.steps.rm).toEqual({ n: 3, median: 1800, min: 900, max: 2700 });
    expect(r.cycle!.stack.cycle.median).toBe(40_000);
    expect(r.cycle!.ratios).toEqual({
      up: 33_000 / 7200,
      noopUp: 20_000 / 7200,
      preview: 15_000 / 7200,
      teardown: 7000 / 1800,
      fullCycle: 40_000 / 9000,
    });
    expect(r.cycle!.medianUpRep).toBe(2);
  });

  test("throughput ratio of the medians; the counter is ok when every run's is", () => {
    const t = results().throughput!;
    expect(t.app.requestsPerSec.median).toBe(2000);
    expect(t.ceiling.requestsPerSec.median).toBe(3000);
    expect(t.ratio).toBeCloseTo(2 / 3, 10);
    expect(t.p99Ratio).toBe(3);
    expect(t.counterOk).toBe(true);
  });

  test("targets from the ratios", () => {
    expect(results().targets.map((t) => [t.id, t.pass])).toEqual([
      ["fullCycle", false],
      ["noopUp", false],
      ["throughput", false],
    ]);
  });
});

describe("formatting", () => {
  test("seconds, ratios, percentages, summaries", () => {
    expect(seconds(4214)).toBe("4.21");
    expect(formatRatio(2.414)).toBe("2.41x");
    expect(formatRatio(NaN)).toBe("n/a");
    expect(formatPercent(0.734)).toBe("73%");
    expect(formatSummary({ n: 3, median: 4210, min: 4010, max: 4500 }, seconds)).toBe("4.21 [4.01–4.50]");
    expect(formatSummary({ n: 1, median: 4210, min: 4210, max: 4210 }, seconds)).toBe("4.21");
  });

  test("formatTable aligns columns, underlines the header and leaves no trailing blanks", () => {
    const table = formatTable(
      [
        ["step", "raw", "ratio"],
        ["up", "4.21 [4.01–4.50]", "3.35x"],
        ["full cycle", "9.95", ""],
      ],
      ["left", "right", "right"],
    );
    expect(table.split("\n")).toEqual([
      "step                     raw  ratio",
      "----------  ----------------  -----",
      "up          4.21 [4.01–4.50]  3.35x",
      "full cycle              9.95",
    ]);
  });

  test("formatTable of nothing is empty", () => {
    expect(formatTable([])).toBe("");
  });

  test("the cycle table: five compared rows, then every raw step", () => {
    const rows = cycleRows(results().cycle!);
    expect(rows[0]).toEqual([
      "step (seconds)",
      "raw CLI median [min–max]",
      "stack median [min–max]",
      "stack/raw",
    ]);
    expect(rows[1]).toEqual(["up to verified", "7.20 [3.60–10.80]", "33.00 [30.00–36.00]", "4.58x"]);
    expect(rows[5]).toEqual(["full cycle", "9.00 [4.50–13.50]", "40.00 [37.00–43.00]", "4.44x"]);
    expect(rows.slice(6).map((r) => r[0])).toEqual(RAW_STEPS.map((s) => `  raw: ${s.label}`));
  });

  test("timeline rows and the slowest steps (unfinished ones left out)", () => {
    const rows = timelineRows(stackRep(31_580).timelines);
    expect(rows[0]).toEqual([
      "operation",
      "engine",
      "program",
      "first step",
      "last step",
      "summary",
      "returned",
    ]);
    expect(rows[1]).toEqual(["up (empty stack)", "0.80", "3.90", "9.60", "26.58", "26.78", "31.58"]);
    expect(slowestSteps(timeline(31_580), 2)).toEqual([
      "verify-env (command:local:Command, create) 8.63 s [17.58–26.21]",
      "redis-server (docker:index/container:Container, create) 2.82 s [12.05–14.87]",
    ]);
  });

  test("the text report has the tables, the counter check and a verdict per target", () => {
    const text = renderText(results());
    expect(text).toContain("full cycle");
    expect(text).toContain("requests/s");
    expect(text).toContain("counter check: ok in all 3 runs");
    expect(text).toContain(
      "MISS  full cycle: stack (up to verified + destroy) / raw CLI: 4.44x (target <= 3.00x)",
    );
    expect(text).toContain("MISS  app requests/s / plain Node.js ceiling: 67% (target >= 80%)");
  });

  test("a failed counter check is reported as such", () => {
    const r = results();
    r.throughput = summarizeThroughput([
      {
        ...throughputRep(2000, 3000),
        app: { ...wrkResult(), counter: checkCounter(0, 10, wrkResult(), 50) },
      },
    ]);
    expect(renderText(r)).toContain("counter check: FAILED (run 1: the counter rose by 10, less than");
  });

  test("phases that did not run are left out of the report", () => {
    const r = { ...results(), cycle: null };
    r.targets = targetsOf(null, r.throughput);
    const text = renderText(r);
    expect(text).not.toContain("Deploy cycle");
    expect(text).toContain("----  full cycle: stack (up to verified + destroy) / raw CLI: not measured");
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
  });

  test("replaceSection needs both markers", () => {
    expect(() => replaceSection("# Bench\n<!-- bench:results:end -->\n", "x")).toThrow(/markers/);
  });

  test("the Markdown has pipe tables and links the chart", () => {
    const md = renderMarkdown(results());
    expect(md).toMatch(
      /\| up to verified +\| +7\.20 \[3\.60–10\.80\] \| +33\.00 \[30\.00–36\.00\] \| +4\.58x \|/,
    );
    expect(md).toMatch(/\| -+ \| -+: \| -+: \| -+: \|/);
    expect(md).toContain("- MISS full cycle");
    expect(md).toContain("![benchmark chart](results/latest.svg)");
  });

  // `npm run lint` runs prettier --check over bench/README.md: a run's section must already be in
  // prettier's form, or every --update-readme would break the lint.
  // (prettier's CLI: its API needs jest's experimental VM modules.)
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
    expect(niceScale(1000)).toEqual({ step: 200, top: 1000 });
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

  test("is one well-formed svg element with all three panels", () => {
    const svg = renderChart(results());
    expect(svg.startsWith("<svg xmlns='http://www.w3.org/2000/svg'")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(balanced(svg)).toBe(true);
    // XML allows each attribute once per element (renderers refuse the file otherwise).
    for (const [tag] of svg.matchAll(/<[a-zA-Z]+\s[^>]*>/g)) {
      const names = [...tag.matchAll(/\s([a-zA-Z:-]+)=/g)].map((m) => m[1]);
      expect({ tag, duplicates: names.filter((n, i) => names.indexOf(n) !== i) }).toEqual({
        tag,
        duplicates: [],
      });
    }
    expect(svg).toContain("Deploy cycle");
    expect(svg).toContain("App throughput");
    expect(svg).toContain("pulumi up from an empty stack, run 3 (the median)");
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  test("bar lengths are proportional to the medians", () => {
    const all = renderChart(results());
    const svg = all.slice(all.indexOf("Deploy cycle"));
    // The deploy panel's bars, in order: raw then stack for each row; the first row is up to verified.
    const widths = [
      ...svg.matchAll(/<rect x='250' y='[\d.]+' width='([\d.]+)' height='12' fill='(#[0-9a-f]+)'\/>/g),
    ].map((m) => ({ width: Number(m[1]), fill: m[2] }));
    expect(widths[0].fill).toBe("#4e79a7");
    expect(widths[1].fill).toBe("#f28e2b");
    expect(widths[1].width / widths[0].width).toBeCloseTo(33_000 / 7200, 1);
  });

  test("labels are escaped", () => {
    const r = results();
    r.cycle!.stack.reps[2].timelines.up.spans[0].name = "<script>";
    const svg = renderChart(r);
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).not.toContain("<script>");
  });

  test("a throughput-only run draws only the throughput panel", () => {
    const r = { ...results(), cycle: null };
    const svg = renderChart(r);
    expect(balanced(svg)).toBe(true);
    expect(svg).toContain("App throughput");
    expect(svg).not.toContain("Deploy cycle");
  });
});
