// The bench's numbers without I/O: summaries, ratios, wrk's output and the counter check, and a
// Pulumi operation's engine events as phases and spans. Expected values are worked out by hand.
import { destroyPhases, EngineStep, phasesBetween, resourceSpans, upPhases } from "../../bench/phases";
import { medianIndex, pairedRatios, ratio, spread, summarize } from "../../bench/stats";
import { counterProblems, parseWrk, parseWrkTime } from "../../bench/wrk";

describe("summarize", () => {
  test("an odd count: the middle value; quartiles between neighbours; min and max", () => {
    expect(summarize([50, 10, 30, 20, 40])).toEqual({ n: 5, median: 30, min: 10, max: 50, q1: 20, q3: 40 });
  });

  test("an even count: the mean of the two middle values; quartiles interpolated", () => {
    // Sorted 1 2 3 4: the median lies halfway between 2 and 3, q1 at 0.75 of the way from 1 to 2.
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, min: 1, max: 4, q1: 1.75, q3: 3.25 });
  });

  test("one value is its own median, and the input stays unsorted", () => {
    const values = [7];
    expect(summarize(values)).toEqual({ n: 1, median: 7, min: 7, max: 7, q1: 7, q3: 7 });
    const unsorted = [3, 1, 2];
    summarize(unsorted);
    expect(unsorted).toEqual([3, 1, 2]);
  });

  test("refuses no values and non-finite ones", () => {
    expect(() => summarize([])).toThrow(/finite numbers needed/);
    expect(() => summarize([1, NaN])).toThrow(/finite numbers needed/);
  });

  test("the spread is the interquartile range over the median; one outlier does not move it", () => {
    expect(spread(summarize([90, 100, 110]))).toBeCloseTo(0.1, 9);
    expect(spread(summarize([90, 100, 110, 100, 1000]))).toBeCloseTo(0.1, 9);
  });
});

describe("ratios", () => {
  test("of the medians (60 over 20), NaN over a median of 0", () => {
    expect(ratio(summarize([30, 60, 90]), summarize([10, 20, 1000]))).toBe(3);
    expect(ratio(summarize([1]), summarize([0]))).toBeNaN();
  });

  test("pair by pair, skipping a zero denominator; the counts must match", () => {
    expect(pairedRatios([2, 9, 5], [1, 3, 0])).toEqual([2, 3]);
    expect(() => pairedRatios([1], [1, 2])).toThrow(/differ in number/);
  });

  test("medianIndex points at the run holding the median (the lower one for an even count)", () => {
    expect(medianIndex([30, 10, 20])).toBe(2);
    expect(medianIndex([40, 10, 30, 20])).toBe(3);
  });
});

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

describe("wrk", () => {
  test.each([
    ["850.00us", 0.85],
    ["85.07ms", 85.07],
    ["1.20s", 1200],
    ["2.00m", 120_000],
  ])("the time %s is %d ms", (text, ms) => {
    expect(parseWrkTime(text)).toBeCloseTo(ms, 6);
  });

  test("a time without a unit is refused", () => {
    expect(() => parseWrkTime("12")).toThrow(/not a wrk time/);
  });

  test("a clean run: completed requests, their rate, the 99th percentile, no errors", () => {
    expect(parseWrk(WRK_OUTPUT)).toEqual({
      requests: 1427,
      requestsPerSec: 461.96,
      p99Ms: 340.21,
      errors: 0,
    });
  });

  test("error responses and socket errors add up (wrk prints them between the totals and the rate)", () => {
    const errors = WRK_OUTPUT.replace(
      "Requests/sec",
      "  Socket errors: connect 0, read 3, write 0, timeout 2\n  Non-2xx or 3xx responses: 17\nRequests/sec",
    );
    expect(parseWrk(errors).errors).toBe(22);
  });

  test("without --latency there is no percentile: an error naming the missing line", () => {
    expect(() => parseWrk(WRK_OUTPUT.replace(/ {5}99%.*\n/, ""))).toThrow(/99% latency/);
  });
});

describe("the counter check", () => {
  const app = (requests: number, counted: number, errors = 0) => ({
    requests,
    counted,
    errors,
    requestsPerSec: 100,
    p99Ms: 9,
  });

  test("counted = completed, up to one more in flight per connection: ok", () => {
    expect(counterProblems(app(1000, 1000), 50)).toEqual([]);
    expect(counterProblems(app(1427, 1477), 50)).toEqual([]);
  });

  test("fewer counted than completed: lost increments", () => {
    expect(counterProblems(app(1000, 999), 50)).toEqual([
      "the counter rose by 999, less than the 1000 completed",
    ]);
  });

  test("more than one in flight per connection: counted twice, or by someone else", () => {
    expect(counterProblems(app(1000, 1051), 50)).toEqual([
      "the counter rose by 1051: more than 1000 + 50 in flight",
    ]);
  });

  test("errors fail it even when the counts fit", () => {
    expect(counterProblems(app(1000, 1000, 3), 50)).toEqual(["3 error responses or socket errors"]);
  });
});

describe("engine events", () => {
  const urn = (type: string, name: string) => `urn:pulumi:s::container-links::${type}::${name}`;
  const STACK = urn("pulumi:pulumi:Stack", "container-links-s");
  const NET = urn("docker:index/network:Network", "redis-server-network");
  const COMPONENT = urn("container-links:redis:RedisServer", "redis-server");
  const PROVIDER = urn("pulumi:providers:docker", "default_5_0_0");
  const CHECK = urn("container-links:verify:Verification$command:local:Command", "verify-env");
  const ev = (ms: number, kind: EngineStep["kind"], u?: string, op = "create"): EngineStep =>
    u === undefined ? { ms, kind } : { ms, kind, urn: u, type: u.split("::")[2].split("$").pop(), op };
  // A refresh, then the stack, a component, a provider, a resource and a check (which fails).
  const events: EngineStep[] = [
    ev(900, "prelude"),
    ev(1000, "pre", NET, "refresh"),
    ev(3000, "done", NET, "refresh"),
    ev(3900, "pre", STACK),
    ev(4000, "pre", COMPONENT),
    ev(4200, "pre", PROVIDER),
    ev(4300, "done", PROVIDER),
    ev(4500, "pre", NET),
    ev(6500, "done", NET),
    ev(7000, "pre", CHECK),
    ev(7800, "done", CHECK),
    ev(8000, "done", COMPONENT),
  ];

  test("an up's phases lie end to end, in order, and add up to the whole operation", () => {
    const phases = upPhases(events, 8300);
    expect(Object.entries(phases)).toEqual([
      ["CLI start", 900],
      ["refresh", 2100],
      ["language host + SDK", 900],
      ["program", 100],
      ["providers", 500],
      ["resources", 2500],
      ["checks", 800],
      ["finish", 500],
    ]);
    expect(Object.values(phases).reduce((a, b) => a + b)).toBe(8300);
  });

  test("a destroy: the CLI, the providers, the deletes, the finish", () => {
    const del = (ms: number, kind: EngineStep["kind"]) => ev(ms, kind, NET, "delete");
    expect(
      Object.entries(destroyPhases([ev(500, "prelude"), del(800, "pre"), del(2900, "done")], 3000)),
    ).toEqual([
      ["CLI start", 500],
      ["providers", 300],
      ["deletes", 2100],
      ["finish", 100],
    ]);
  });

  test("milestones that did not happen, or came before the previous one, are skipped", () => {
    const phases = phasesBetween([
      ["a", 100],
      ["b", null],
      ["c", 50],
      ["d", 300],
    ]);
    expect(Object.entries(phases)).toEqual([
      ["a", 100],
      ["d", 200],
    ]);
  });

  test("spans: custom resources and providers, not the stack, components or the refresh", () => {
    expect(resourceSpans(events)).toEqual([
      { name: "default_5_0_0", startMs: 4200, endMs: 4300 },
      { name: "redis-server-network", startMs: 4500, endMs: 6500 },
      { name: "verify-env", startMs: 7000, endMs: 7800 },
    ]);
  });
});
