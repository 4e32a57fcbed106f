// The bench's numbers without I/O: summaries and their spread, targets, wrk's output and the
// counter check, engine events as spans and phases, the options. Expected
// values are worked out by hand.
import { parseOptions, USAGE } from "../../bench/options";
import {
  evaluateTargets,
  medianIndex,
  pairedRatios,
  ratio,
  relativeSpread,
  summarize,
} from "../../bench/stats";
import {
  phasesBetween,
  summarizeTimeline,
  TimelineEvent,
  upPhases,
  destroyPhases,
} from "../../bench/timeline";
import { checkCounter, parseWrk, parseWrkTime, WrkResult } from "../../bench/wrk";

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
  test("an odd count: the middle value, quartiles between neighbours, min and max", () => {
    expect(summarize([50, 10, 30, 20, 40])).toEqual({ n: 5, median: 30, min: 10, max: 50, q1: 20, q3: 40 });
  });

  test("an even count: the mean of the two middle values; quartiles interpolated", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, min: 1, max: 4, q1: 1.75, q3: 3.25 });
  });

  test("one value is its own median, quartiles, min and max", () => {
    expect(summarize([7])).toEqual({ n: 1, median: 7, min: 7, max: 7, q1: 7, q3: 7 });
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

  test("the relative spread is the interquartile range over the median; one outlier does not move it", () => {
    expect(relativeSpread(summarize([90, 100, 110]))).toBeCloseTo(0.1, 9);
    expect(relativeSpread(summarize([90, 100, 110, 100, 1000]))).toBeCloseTo(0.1, 9);
  });
});

describe("ratios", () => {
  test("ratio divides the medians; NaN over a zero median", () => {
    expect(ratio(summarize([30, 60, 90]), summarize([10, 20, 1000]))).toBe(3);
    expect(ratio(summarize([1]), summarize([0]))).toBeNaN();
  });

  test("paired ratios divide run by run, skipping a zero denominator, and need equal counts", () => {
    expect(pairedRatios([2, 9, 5], [1, 3, 0])).toEqual([2, 3]);
    expect(() => pairedRatios([1], [1, 2])).toThrow(/differ in number/);
  });

  test("medianIndex points at the run holding the median (the lower one for an even count)", () => {
    expect(medianIndex([30, 10, 20])).toBe(2);
    expect(medianIndex([40, 10, 30, 20])).toBe(3);
  });
});

describe("evaluateTargets", () => {
  test("limits: at most 2x, below compose, at most 1.25x, at least 85%", () => {
    const at = evaluateTargets({ fullCycle: 2, vsCompose: 1, noopUp: 1.25, throughput: 0.85 });
    expect(at.map((t) => [t.id, t.pass])).toEqual([
      ["fullCycle", true],
      ["vsCompose", false],
      ["noopUp", true],
      ["throughput", true],
    ]);
    const past = evaluateTargets({ fullCycle: 2.01, vsCompose: 0.99, noopUp: 1.26, throughput: 0.84 });
    expect(past.map((t) => t.pass)).toEqual([false, true, false, false]);
  });

  test("a phase that did not run is not measured; a NaN ratio is a miss", () => {
    const targets = evaluateTargets({ fullCycle: NaN });
    expect(targets[0]).toMatchObject({ id: "fullCycle", pass: false });
    expect(targets[3]).toMatchObject({ id: "throughput", value: null, pass: null, comparison: ">=" });
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

describe("engine events", () => {
  const urn = (type: string, name: string) => `urn:pulumi:s::container-links::${type}::${name}`;
  const STACK = urn("pulumi:pulumi:Stack", "container-links-s");
  const NET = urn("docker:index/network:Network", "redis-server-network");
  const COMPONENT = urn("container-links:redis:RedisServer", "redis-server");
  const PROVIDER = urn("pulumi:providers:docker", "default_5_0_0");
  const CHECK = urn("container-links:verify:Verification$command:local:Command", "verify-env");
  const ev = (ms: number, kind: TimelineEvent["kind"], u?: string, op = "create"): TimelineEvent =>
    u === undefined ? { ms, kind } : { ms, kind, urn: u, type: u.split("::")[2].split("$").pop(), op };
  const events: TimelineEvent[] = [
    ev(900, "prelude"),
    ev(1000, "pre", NET, "refresh"),
    ev(3000, "outputs", NET, "refresh"),
    ev(3900, "pre", STACK),
    ev(4000, "pre", COMPONENT),
    ev(4200, "pre", PROVIDER),
    ev(4300, "outputs", PROVIDER),
    ev(4500, "pre", NET),
    ev(6500, "outputs", NET),
    ev(7000, "pre", CHECK),
    ev(7800, "failed", CHECK),
    ev(8000, "outputs", COMPONENT),
    ev(8100, "summary"),
  ];

  test("marks, and spans of custom resources and providers (not the stack, not components)", () => {
    const t = summarizeTimeline(events, 8300);
    expect(t).toMatchObject({ preludeMs: 900, firstResourceMs: 3900, programMs: 4000, summaryMs: 8100 });
    expect(t.spans.map((s) => [s.name, s.op, s.startMs, s.endMs])).toEqual([
      ["redis-server-network", "refresh", 1000, 3000],
      ["default_5_0_0", "create", 4200, 4300],
      ["redis-server-network", "create", 4500, 6500],
      ["verify-env", "create", 7000, 7800],
    ]);
  });

  test("an up's phases lie end to end and add up to the whole operation", () => {
    const phases = upPhases(summarizeTimeline(events, 8300));
    expect(phases).toEqual([
      { label: "CLI start", ms: 900 },
      { label: "refresh", ms: 2100 },
      { label: "language host + SDK", ms: 900 },
      { label: "program", ms: 100 },
      { label: "providers", ms: 500 },
      { label: "resources", ms: 2500 },
      { label: "checks", ms: 800 },
      { label: "finish", ms: 500 },
    ]);
    expect(phases.reduce((sum, p) => sum + p.ms, 0)).toBe(8300);
  });

  test("a destroy: the CLI, the providers, the deletes, the finish", () => {
    const del = (ms: number, kind: TimelineEvent["kind"], u: string) => ev(ms, kind, u, "delete");
    const t = summarizeTimeline([ev(500, "prelude"), del(800, "pre", NET), del(2900, "outputs", NET)], 3000);
    expect(destroyPhases(t)).toEqual([
      { label: "CLI start", ms: 500 },
      { label: "providers", ms: 300 },
      { label: "deletes", ms: 2100 },
      { label: "finish", ms: 100 },
    ]);
  });

  test("milestones that did not happen, or came before the previous one, are skipped", () => {
    expect(
      phasesBetween([
        ["a", 100],
        ["b", null],
        ["c", 50],
        ["d", 300],
      ]),
    ).toEqual([
      { label: "a", ms: 100 },
      { label: "d", ms: 200 },
    ]);
  });
});

describe("parseOptions", () => {
  /** The "(default N)" that `--help` states for an option. */
  function statedDefault(flag: string): number {
    const line = USAGE.split("\n").find((l) => l.trimStart().startsWith(`${flag} `));
    const match = /\(default (\d+)/.exec(line ?? "");
    if (!match) throw new Error(`--help states no default for ${flag}`);
    return Number(match[1]);
  }

  test("defaults: what --help states (5 reps, wrk -t2 -c50 -d10s), both phases, unpinned, a profile", () => {
    expect([statedDefault("--reps"), statedDefault("--duration"), statedDefault("--connections")]).toEqual([
      5, 10, 50,
    ]);
    expect(statedDefault("--threads")).toBe(2);
    expect(parseOptions([])).toEqual({
      reps: statedDefault("--reps"),
      phases: ["cycle", "throughput"],
      durationS: statedDefault("--duration"),
      connections: statedDefault("--connections"),
      threads: statedDefault("--threads"),
      pin: false,
      profile: true,
      updateReadme: false,
      help: false,
    });
  });

  test("--flag value and --flag=value", () => {
    expect(
      parseOptions(["--reps", "1", "--duration=2", "--only", "throughput", "--pin", "--update-readme"]),
    ).toMatchObject({ reps: 1, durationS: 2, phases: ["throughput"], pin: true, updateReadme: true });
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
