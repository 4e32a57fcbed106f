// The bench's report and chart data from a made-up run whose medians and ratios are worked out by
// hand: raw CLI cycles 4.5, 9 and 13.5 s (median 9), compose 6, 8 and 7 s (median 7), the stack 14,
// 18 and 16 s (median 16, its third repetition).
import { cycleBars } from "../../bench/chart";
import { cycleRows, ownTimeLines, profileRows, renderMarkdown, table, targetLines } from "../../bench/report";
import { BenchResults, Rep } from "../../bench/results";

const raw = (k: number): Rep => ({
  upMs: 300 * k,
  firstOkMs: 600 * k,
  verifiedMs: 3600 * k,
  downMs: 900 * k,
  cycleMs: 4500 * k,
  steps: { "docker run": 1500 * k, "docker rm": 3000 * k },
});

const compose = (cycleMs: number): Rep => ({
  upMs: 1500,
  firstOkMs: 2000,
  verifiedMs: null,
  downMs: cycleMs - 2000,
  cycleMs,
  steps: { "up -d": 1500, "wait for the first 200": 500, down: cycleMs - 2000 },
});

const stack = (cycleMs: number): Rep => ({
  upMs: 4000,
  firstOkMs: 3500,
  verifiedMs: 4000,
  downMs: cycleMs - 4000,
  cycleMs,
  steps: {
    "up: CLI start": 500,
    "up: finish": 3500,
    "destroy: CLI start": 500,
    "destroy: deletes": cycleMs - 4500,
  },
  noopUpMs: 3000,
  noopSteps: { "CLI start": 1000, refresh: 2000 },
  spans: [{ name: "redis-server", startMs: 1000, endMs: 2500 }],
});

const app = (requestsPerSec: number, inFlight: number) => ({
  requests: requestsPerSec * 10,
  requestsPerSec,
  p99Ms: 9,
  errors: 0,
  counted: requestsPerSec * 10 + inFlight,
});
const ceiling = { requests: 10_000, requestsPerSec: 1000, p99Ms: 3, errors: 0 };

function results(): BenchResults {
  return {
    schema: 3,
    startedAt: "2026-12-01T10:00:00.000Z",
    finishedAt: "2026-12-01T10:05:00.000Z",
    machine: {
      hostname: "vm",
      cpus: 2,
      load: { start: 0.5, end: 1 },
      node: "v20",
      docker: "20.10",
      pulumi: "3",
      wrk: "4",
    },
    settings: {
      reps: 3,
      images: { redis: "redis", node: "node", probe: "busybox", app: "app" },
      wrk: { threads: 2, connections: 50, durationS: 10, warmupS: 2 },
    },
    paths: [
      { id: "raw", label: "raw CLI", reps: [raw(1), raw(2), raw(3)] },
      {
        id: "compose",
        label: "compose",
        note: "docker-compose 1.29.2",
        reps: [6000, 8000, 7000].map(compose),
      },
      { id: "stack", label: "stack", reps: [14_000, 18_000, 16_000].map(stack) },
    ],
    throughput: [
      { app: app(800, 50), ceiling },
      { app: app(900, 49), ceiling },
      { app: app(700, 48), ceiling },
    ],
  };
}

describe("the cycle table", () => {
  const rows = cycleRows(results());
  const row = (label: string) => rows.find((r) => r[0] === label);

  test("columns: the measures; a path without one (compose verifies nothing) has an empty cell", () => {
    expect(rows[0]).toEqual([
      "seconds",
      "up (command returned)",
      "up to first 200",
      "up to verified",
      "down",
      "full cycle",
      "no-op up",
    ]);
    expect(row("compose")).toEqual([
      "compose",
      "1.50 [1.50–1.50]",
      "2.00 [2.00–2.00]",
      "",
      "5.00 [4.00–6.00]",
      "7.00 [6.00–8.00]",
      "",
    ]);
  });

  test("medians [min–max] in seconds", () => {
    expect(row("raw CLI")?.[5]).toBe("9.00 [4.50–13.50]");
    expect(row("stack")?.[5]).toBe("16.00 [14.00–18.00]");
    expect(row("stack")?.[6]).toBe("3.00 [3.00–3.00]");
  });

  test("ratios of the medians to the raw CLI's; the no-op up's over its up to verified (3 s / 7.2 s)", () => {
    // up 4 / 0.6, first 200 3.5 / 1.2, verified 4 / 7.2, down 12 / 1.8, cycle 16 / 9, no-op 3 / 7.2.
    expect(row("stack / raw CLI")).toEqual([
      "stack / raw CLI",
      "6.67x",
      "2.92x",
      "0.56x",
      "6.67x",
      "1.78x",
      "0.42x",
    ]);
    expect(row("compose / raw CLI")?.[5]).toBe("0.78x");
  });
});

test("the profile: the median repetition's phases of each operation, columns in the order they happen", () => {
  expect(profileRows(results())).toEqual([
    ["operation", "CLI start", "refresh", "deletes", "finish", "total"],
    ["stack: up", "0.50", "", "", "3.50", "4.00"],
    ["stack: no-op up", "1.00", "2.00", "", "", "3.00"],
    ["stack: destroy", "0.50", "", "11.50", "", "12.00"],
  ]);
});

test("the targets: stack/raw 1.78x, stack/compose 2.29x, no-op 0.42x, app/ceiling 80%", () => {
  expect(targetLines(results())).toEqual([
    "- PASS full cycle: stack / raw CLI: 1.78x (target <= 2.00x)",
    "- MISS full cycle: stack / compose: 2.29x (target < 1.00x)",
    "- PASS no-op up / raw CLI up to verified: 0.42x (target <= 1.25x)",
    "- MISS app requests/s / plain Node.js ceiling: 80% (target >= 85%)",
  ]);
  expect(targetLines({ ...results(), paths: [], throughput: null })).toEqual([]);
});

test("with Pulumi's floor and plain Pulumi: (stack - floor)/raw 0.89x, plain/stack 1.25x, no-op/floor up 1.50x", () => {
  // The floor's cycles 7, 8 and 9 s (median 8; its up 2 s each); plain Pulumi's 18, 20 and 22 s
  // (median 20). By hand: (16 - 8) / 9 = 0.89; 20 / 16 = 1.25; the stack's no-op up 3 s / 2 s = 1.50.
  const floor = (cycleMs: number): Rep => ({
    ...stack(cycleMs),
    upMs: 2000,
    verifiedMs: null,
    firstOkMs: null,
  });
  const r = results();
  r.paths.push(
    { id: "floor", label: "Pulumi's floor", reps: [7000, 8000, 9000].map(floor) },
    { id: "plain", label: "plain Pulumi", reps: [18_000, 20_000, 22_000].map(stack) },
  );
  expect(targetLines(r)).toEqual(
    expect.arrayContaining([
      "- PASS full cycle: (stack - Pulumi's floor) / raw CLI: 0.89x (target <= 1.25x)",
      "- PASS full cycle: plain Pulumi / stack (above 1: the stack is faster): 1.25x (target >= 1.00x)",
      "- PASS no-op up / Pulumi's floor up: 1.50x (target <= 1.50x)",
    ]),
  );
});

test("the stack's own time: 8 s above the floor, of which Docker's work on its containers 4 s", () => {
  // The floor's cycles 7, 8 and 9 s (median 8), so the stack's own time is 16 - 8 = 8 s, 8 / 9 = 0.89x
  // the raw CLI's. The containers path's up + down: 1 + 2, 1.5 + 2.5 and 2 + 3 s (median 4 s,
  // 0.44x); the rest 8 - 4 = 4 s (0.44x). Its cycles (with the wait for the first 200) are not used.
  const made = (upMs: number, downMs: number): Rep => ({
    upMs,
    firstOkMs: upMs + 500,
    verifiedMs: null,
    downMs,
    cycleMs: upMs + 500 + downMs,
    steps: {},
  });
  const r = results();
  expect(ownTimeLines(r)).toEqual([]);
  r.paths.push({ id: "floor", label: "Pulumi's floor", reps: [7000, 8000, 9000].map(stack) });
  expect(ownTimeLines(r)).toEqual([]);
  r.paths.push({
    id: "containers",
    label: "the stack's containers, docker CLI",
    reps: [made(2000, 3000), made(1000, 2000), made(1500, 2500)],
  });
  const lines = [
    "- the stack's own time (its full cycle above Pulumi's floor's): 8.00 s, 0.89x the raw CLI's cycle",
    "- of which Docker's work on the stack's containers (made and removed by the docker CLI): 4.00 s, 0.44x the raw CLI's cycle",
    "- the rest (the program, the providers, a step per resource, the checks): 4.00 s, 0.44x the raw CLI's cycle",
  ];
  expect(ownTimeLines(r)).toEqual(lines);
  expect(renderMarkdown(r)).toContain(
    ["The stack's own time, medians:", "", ...lines, "", "Targets:"].join("\n"),
  );
  expect(renderMarkdown(results())).not.toContain("The stack's own time");
});

describe("the Markdown", () => {
  test("a table is padded, the first column left-aligned and the others right", () => {
    expect(
      table([
        ["a", "bb"],
        ["ccc", "d"],
      ]),
    ).toBe("| a   |  bb |\n| --- | --: |\n| ccc |   d |");
  });

  test("the full cycle per repetition, the throughput and the counter check", () => {
    const md = renderMarkdown(results());
    expect(md).toContain("stack 3.11, 2.00, 1.19");
    expect(md).toContain("| requests/s       | 800 [700–900] |");
    expect(md).toContain("app/ceiling pair by pair: 80%, 90%, 70%");
    expect(md).toContain("those in flight when it stopped (50, 49, 48)");
    expect(md).toMatch(/!\[benchmark chart\]\(latest\.svg\)\n$/);
  });

  test("a counter that lost a request is reported as a failure, naming the run", () => {
    const r = results();
    r.throughput![1].app.counted = r.throughput![1].app.requests - 1;
    expect(renderMarkdown(r)).toContain(
      "counter check: FAILED (run 2: the counter rose by 8999, less than the 9000 completed",
    );
  });
});

test("the chart's cycle bars: the median repetition's steps end to end, in seconds", () => {
  const bars = cycleBars(results());
  // The raw CLI's median repetition is the second: 3 s then 6 s.
  expect(bars.filter((b) => b.row === "raw CLI: full cycle").map((b) => [b.step, b.start, b.end])).toEqual([
    ["docker run", 0, 3],
    ["docker rm", 3, 9],
  ]);
  const stackRow = bars.filter((b) => b.row === "stack: full cycle (1.78x)");
  expect(stackRow.map((b) => b.step)).toEqual(["CLI start", "finish", "CLI start", "deletes"]);
  expect(stackRow[stackRow.length - 1].end).toBe(16);
  expect(bars.filter((b) => b.row === "stack: no-op up").map((b) => b.end)).toEqual([1, 3]);
});
