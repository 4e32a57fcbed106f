// Faults against the real program, in both link modes (one stack each): Redis stopped and started
// again (503 within 1 s meanwhile, 200 within 5 s after, the count continuing, the app neither
// crashing nor restarting); Redis coming back on a different default-bridge address (the app and the
// CLI still reach it by the alias, with no `pulumi up`); the app and Redis stopping within 2 s on
// SIGTERM. Then a stack whose Redis never becomes ready, with readyTimeoutSeconds 5: `pulumi up` fails
// naming the container and showing its last log lines.
// Measured times are printed as `[faults <mode> +<s>s] ...` lines on stderr.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BUDGET_MS, docker, dockerBuild, httpGet, progress, uniqueName, up, waitFor } from "./harness";
import {
  cliPing,
  countedGet,
  inspectContainer,
  LinkMode,
  opened,
  openProgramStack,
  ProgramStack,
  REMOVE_BUDGET_MS,
  removeProgramStack,
  totalOf,
} from "./program-stack";

/**
 * Bounds of the waits (how fast the app answers and stops is the bench's to measure: on a loaded
 * machine wall-clock bounds are noise). A GET gets long enough that a missing answer means the app
 * has none, not that the machine was slow.
 */
const GET_BOUND_MS = 10_000;
const RECOVER_WITHIN_MS = 30_000;
const REQUESTS_WHILE_DOWN = 10;

const MODES: { mode: LinkMode; port: number; subnet: string }[] = [
  { mode: "legacy", port: 3142, subnet: "172.31.246.0/25" },
  { mode: "network", port: 3143, subnet: "172.31.246.128/25" },
];

/** Polls the app until it answers 200 (bounded); returns the page's total and the wait. */
async function recovered(url: string, boundMs: number): Promise<{ total: number; ms: number }> {
  const start = Date.now();
  const body = await waitFor(
    async () => {
      const res = await httpGet(url, GET_BOUND_MS);
      return res.status === 200 ? res.body : "";
    },
    { timeoutMs: boundMs, intervalMs: 100, what: `${url} to answer 200 again` },
  );
  return { total: totalOf(body), ms: Date.now() - start };
}

/** The app container's identity across a fault: same start, no restarts, still running. */
async function appLife(name: string): Promise<{ running: boolean; startedAt: string; restarts: number }> {
  const info = await inspectContainer(name);
  return { running: info.State.Running, startedAt: info.State.StartedAt, restarts: info.RestartCount };
}

describe.each(MODES)("linkMode $mode", ({ mode, port, subnet }) => {
  const stackName = uniqueName(`ops-faults-${mode}`);
  let ps: ProgramStack | undefined;

  beforeAll(
    async () => {
      ps = await openProgramStack(stackName, { linkMode: mode, port, subnet });
      const result = await up(ps.stack, `faults ${mode}`);
      expect(result.summary.result).toBe("succeeded");
    },
    BUDGET_MS.openStack + BUDGET_MS.up + 30_000,
  );

  afterAll(async () => {
    expect(await removeProgramStack(stackName, ps)).toEqual([]);
  }, REMOVE_BUDGET_MS);

  test("Redis stopped: every request gets a 503 saying so, the app does not restart; back: 200 again", async () => {
    const say = progress(`faults ${mode}`);
    const { names, url } = opened(ps);
    const before = await countedGet(url);
    const life = await appLife(names.app);
    expect(life).toEqual({ running: true, startedAt: expect.any(String), restarts: 0 });

    await docker(["stop", names.redis]);
    const latencies: number[] = [];
    const answers: string[] = [];
    for (let i = 0; i < REQUESTS_WHILE_DOWN; i++) {
      const start = performance.now();
      const res = await httpGet(url, GET_BOUND_MS);
      latencies.push(Math.round(performance.now() - start));
      answers.push(`${res.status} ${res.body.trim()}`);
    }
    say(`while Redis is stopped: ${[...new Set(answers)].join("; ")}; latencies ${latencies.join(" ")} ms`);
    // The app knows Redis is gone (or gives up on it at its own deadline) and says so.
    for (const answer of answers)
      expect(answer).toMatch(/^503 redis (is not connected|did not answer within \d+ ms)$/);
    expect(await appLife(names.app)).toEqual(life);

    await docker(["start", names.redis]);
    const back = await recovered(url, RECOVER_WITHIN_MS);
    say(`Redis started again: first 200 after ${back.ms} ms, total ${back.total}`);
    // The 503s counted nothing; the first answer continues from the last count.
    expect(back.total).toBe(before + 1);
    expect(await appLife(names.app)).toEqual(life);
  }, 60_000);

  test("Redis paused: every request gets a 503 at the app's own deadline; unpaused: 200 again", async () => {
    const say = progress(`faults ${mode}`);
    const { names, url } = opened(ps);
    const before = await countedGet(url);
    const life = await appLife(names.app);

    await docker(["pause", names.redis]);
    const latencies: number[] = [];
    const answers: string[] = [];
    try {
      for (let i = 0; i < REQUESTS_WHILE_DOWN; i++) {
        const start = performance.now();
        const res = await httpGet(url, GET_BOUND_MS);
        latencies.push(Math.round(performance.now() - start));
        answers.push(`${res.status} ${res.body.trim()}`);
      }
    } finally {
      await docker(["unpause", names.redis]);
    }
    say(`while Redis is paused: ${[...new Set(answers)].join("; ")}; latencies ${latencies.join(" ")} ms`);
    // A paused Redis accepts connections and never answers: only the app's own deadline ends them.
    for (const answer of answers) expect(answer).toMatch(/^503 redis did not answer within \d+ ms$/);

    const back = await recovered(url, RECOVER_WITHIN_MS);
    say(`Redis unpaused: first 200 after ${back.ms} ms, total ${back.total}`);
    // Commands sent before the deadline ran out wait in Redis and run once it is back: those requests
    // may count, none is counted twice, and the count goes on.
    expect(back.total).toBeGreaterThanOrEqual(before + 1);
    expect(back.total).toBeLessThanOrEqual(before + 1 + REQUESTS_WHILE_DOWN);
    expect(await appLife(names.app)).toEqual(life);
  }, 60_000);

  test("Redis back on a different default-bridge address: the app and the CLI still reach it by the alias", async () => {
    const say = progress(`faults ${mode}`);
    const { names, url } = opened(ps);
    const squatter = `${stackName}-squatter`;
    const before = await countedGet(url);
    const life = await appLife(names.app);
    const oldNetworks = (await inspectContainer(names.redis)).NetworkSettings.Networks;
    // Legacy mode keeps Redis on the default bridge, where `--link` would find it; network mode does not.
    expect(Object.keys(oldNetworks).sort()).toEqual(
      mode === "legacy" ? ["bridge", names.network].sort() : [names.network],
    );
    const oldBridgeIp = oldNetworks.bridge?.IPAddress;

    try {
      await docker(["stop", names.redis]);
      // Docker hands out the lowest free default-bridge address: the squatter takes the one Redis had.
      await docker(["run", "-d", "--init", "--name", squatter, "busybox:1.38", "sleep", "600"]);
      const squatterIp = (await inspectContainer(squatter)).NetworkSettings.Networks.bridge.IPAddress;
      if (oldBridgeIp !== undefined) expect(squatterIp).toBe(oldBridgeIp);
      await docker(["start", names.redis]);

      const newNetworks = (await inspectContainer(names.redis)).NetworkSettings.Networks;
      say(
        `Redis bridge address: before ${oldBridgeIp ?? "none"}, after ${newNetworks.bridge?.IPAddress ?? "none"}`,
      );
      if (oldBridgeIp !== undefined) {
        expect(newNetworks.bridge.IPAddress).not.toBe(oldBridgeIp);
      } else {
        expect(newNetworks.bridge).toBeUndefined();
      }

      // No pulumi up: the running app and CLI find the restarted Redis by the alias alone.
      const back = await recovered(url, RECOVER_WITHIN_MS);
      say(`after the address change: first 200 after ${back.ms} ms`);
      expect(back.total).toBe(before + 1);
      expect(await cliPing(names)).toBe("PONG");
      expect(await appLife(names.app)).toEqual(life);
    } finally {
      await docker(["rm", "-f", squatter]);
    }
  }, 60_000);

  test("the app and Redis stop on SIGTERM, exiting on the signal rather than being killed", async () => {
    const say = progress(`faults ${mode}`);
    const { names } = opened(ps);
    const expectedLog = { [names.app]: /SIGTERM received/, [names.redis]: /Received SIGTERM/ };
    for (const container of [names.app, names.redis]) {
      const start = performance.now();
      // A 10 s grace: Docker would SIGKILL only after that; an exit code other than 137 and the log
      // line show the process ended on the signal itself (how fast is the bench's "down").
      await docker(["stop", "-t", "10", container]);
      const ms = Math.round(performance.now() - start);
      const state = (await inspectContainer(container)).State;
      say(`docker stop -t 10 ${container}: ${ms} ms, exit code ${state.ExitCode}`);
      expect(state.Running).toBe(false);
      expect(state.OOMKilled).toBe(false);
      // 137 is SIGKILL; 0 (or 143, SIGTERM unhandled) means it ended on the signal.
      expect([0, 143]).toContain(state.ExitCode);
      const logs = await docker(["logs", "--tail", "20", container]);
      expect(logs).toMatch(expectedLog[container]);
    }
  }, 60_000);
});

describe("a readiness wait that times out", () => {
  const stackName = uniqueName("ops-faults-ready");
  const fakeRedisImage = `${stackName}-fake-redis:1`;
  let ps: ProgramStack | undefined;
  let contextDir: string | undefined;

  // A stand-in for the Redis image whose redis-server says why on stdout and then never accepts a
  // connection: the container runs, but Redis is never ready. Built locally from busybox (no pull).
  beforeAll(async () => {
    contextDir = fs.mkdtempSync(path.join(os.tmpdir(), "it-ops-fake-redis-"));
    fs.writeFileSync(
      path.join(contextDir, "redis-server"),
      [
        "#!/bin/sh",
        'echo "fake redis-server for the readiness test: never accepts connections (args: $*)"',
        'trap "exit 0" TERM',
        "while :; do sleep 1; done",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(contextDir, "Dockerfile"),
      "FROM busybox:1.38\nCOPY redis-server /usr/local/bin/redis-server\nEXPOSE 6379\n",
    );
    await dockerBuild(["--quiet", "--tag", fakeRedisImage, contextDir]);
    ps = await openProgramStack(stackName, {
      linkMode: "legacy",
      port: 3144,
      subnet: "172.31.247.0/25",
      extra: { redisImage: fakeRedisImage, readyTimeoutSeconds: "5" },
    });
  }, BUDGET_MS.openStack + 90_000);

  afterAll(async () => {
    try {
      expect(await removeProgramStack(stackName, ps)).toEqual([]);
    } finally {
      await docker(["image", "rm", "--force", fakeRedisImage]).catch(() => undefined);
      if (contextDir) fs.rmSync(contextDir, { recursive: true, force: true });
    }
  }, REMOVE_BUDGET_MS);

  test("fails pulumi up with a message naming the container and showing its last log lines", async () => {
    const { stack, names } = opened(ps);
    const say = progress("faults readiness");
    const start = Date.now();
    let failure: Error | undefined;
    try {
      await up(stack, "faults readiness", { timeoutMs: 150_000 });
    } catch (e) {
      failure = e as Error;
    }
    say(`up ended after ${Math.round((Date.now() - start) / 1000)} s`);
    expect(failure).toBeDefined();
    const message = failure?.message ?? "";
    // Redis never gets ready, so the app never answers 200: after 5 s the http check blames Redis,
    // naming its container and showing what it last logged, which says why.
    expect(message).toContain(
      `the app never answered 200, and Redis (container ${names.redis}) is not ready`,
    );
    const redisLogs = new RegExp(`last \\d+ log lines of container ${names.redis}:[^\\n]*\\n[^\\n]*\\| `);
    expect(message).toMatch(redisLogs);
    expect(message).toMatch(/\| fake redis-server for the readiness test: never accepts connections/);

    // Every check that failed (they run in parallel; each timed out) names a container of this
    // stack and shows its last log lines, not only the ones that wait for a container.
    const failedChecks = [...new Set([...message.matchAll(/check (\w+) failed: /g)].map((m) => m[1]))];
    say(`failed checks: ${failedChecks.join(", ")}`);
    expect(failedChecks.length).toBeGreaterThan(0);
    for (const check of failedChecks) {
      const block =
        new RegExp(`check ${check} failed: [\\s\\S]*?(?=error: |check \\w+ failed: |$)`).exec(message)?.[0] ??
        "";
      expect({
        check,
        namesContainer: block.includes(`container ${stackName}-`),
        showsLogs: new RegExp(
          `last \\d+ log lines of container ${stackName}-[\\w.-]+:[^\\n]*\\n[^\\n]*\\| `,
        ).test(block),
      }).toEqual({ check, namesContainer: true, showsLogs: true });
    }
  }, 200_000);
});
