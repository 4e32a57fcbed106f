// The rules that decide which leftovers of earlier integration test runs the sweep may remove.
import { nodeProcessAlive, runOf, staleNames } from "../integration/stale";

describe("runOf: the run prefix and pid in a test name", () => {
  test.each([
    ["it-swarm-10246-02eb27", { prefix: "it-swarm-10246-02eb27", pid: 10246 }],
    ["it-swarm-10246-02eb27-app", { prefix: "it-swarm-10246-02eb27", pid: 10246 }],
    [
      "it-swarm-10246-02eb27-app.2.jw3kf228wupr53212xb4mbtoq",
      { prefix: "it-swarm-10246-02eb27", pid: 10246 },
    ],
    ["/it-parity-probe-77-abcdef", { prefix: "it-parity-probe-77-abcdef", pid: 77 }],
    [
      "it-ops-faults-legacy-23702-52377b-redis-data",
      { prefix: "it-ops-faults-legacy-23702-52377b", pid: 23702 },
    ],
    ["it-swarm-10246-02eb27-app:34c365ecb154", { prefix: "it-swarm-10246-02eb27", pid: 10246 }],
  ])("%s", (name, expected) => {
    expect(runOf(name)).toEqual(expected);
  });

  test.each([
    "redis-server",
    "counter-app",
    "dev",
    "it-parity-probe-abcdef", // no pid
    "it-swarm-10246-02eb2", // five hex digits
    "it-swarm-10246-02eb27x", // no separator after the run
    "bench-10246-02eb27",
    "my-it-swarm-10246-02eb27",
    "it-swarm-0-02eb27",
  ])("%s is not a test run's name", (name) => {
    expect(runOf(name)).toBeUndefined();
  });
});

describe("staleNames", () => {
  const names = [
    "redis-server",
    "it-swarm-10246-02eb27-app",
    "it-swarm-10246-02eb27-redis",
    "it-load-555-aaaaaa",
    "counter-app",
  ];

  test("names of runs whose process is gone, and nothing else", () => {
    expect(staleNames(names, (pid) => pid === 555)).toEqual([
      "it-swarm-10246-02eb27-app",
      "it-swarm-10246-02eb27-redis",
    ]);
  });

  test("a run still going (a concurrent test run) keeps its names", () => {
    expect(staleNames(names, () => true)).toEqual([]);
  });

  test("asks about each pid once", () => {
    const asked: number[] = [];
    staleNames(names, (pid) => {
      asked.push(pid);
      return false;
    });
    expect(asked).toEqual([10246, 555]);
  });
});

describe("nodeProcessAlive", () => {
  test("this very process is alive", () => {
    expect(nodeProcessAlive(process.pid)).toBe(true);
  });

  test.each([
    ["/usr/bin/node\0/work/node_modules/jest-worker/build/processChild.js\0", true],
    ["node\0script.js\0", true],
    ["/usr/local/bin/nodejs\0x\0", true],
    ["/usr/sbin/sshd\0-D\0", false],
    ["bash\0-c\0sleep 1\0", false],
  ])("%j counts as a test run: %s", (cmdline, alive) => {
    expect(nodeProcessAlive(1234, () => cmdline)).toBe(alive);
  });

  test("a pid without a process is gone", () => {
    expect(nodeProcessAlive(1234, () => undefined)).toBe(false);
  });
});
