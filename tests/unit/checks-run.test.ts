// checks/run.js as the stack runs it (`CHECK_SPEC='<json>' node checks/run.js`), with no Docker:
// the http check talks to small servers started here that mimic the counter app, and the container
// checks find a fake `docker` first on PATH that answers from a script and records every call. Every
// wait is bounded; nothing sleeps for a fixed time.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { linkVarPattern } from "../../lib/links";

const RUN_JS = path.join(__dirname, "..", "..", "checks", "run.js");
const NODE_DIR = path.dirname(process.execPath);

jest.setTimeout(30000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node checks/run.js` with only PATH, CHECK_SPEC and `env`; killed (and the test failed) after `limitMs`. */
function run(spec: unknown, env: Record<string, string> = {}, limitMs = 25000): Promise<Run> {
  const child = spawn(process.execPath, [RUN_JS], {
    env: {
      PATH: `${NODE_DIR}${path.delimiter}${process.env.PATH ?? ""}`,
      ...(spec === undefined ? {} : { CHECK_SPEC: typeof spec === "string" ? spec : JSON.stringify(spec) }),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`run.js still running after ${limitMs} ms; stderr so far:\n${stderr}`));
    }, limitMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The one line of JSON on stdout, without its timestamp (checked to be one) and spec (checked to be the input). */
function result(r: Run, spec?: unknown): Record<string, unknown> {
  const lines = r.stdout.split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe("");
  const { checkedAt, spec: echoed, ...rest } = JSON.parse(lines[0]);
  expect(new Date(checkedAt).toISOString()).toBe(checkedAt);
  if (spec !== undefined) expect(echoed).toEqual(spec);
  return rest;
}

/** What run.js said on stderr about a failure: every line but the progress lines ("[check] ..."). */
function failureOf(r: Run): string[] {
  return r.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("[check] "));
}

/** `text` as a regular expression that matches it literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface TestServer {
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server on 127.0.0.1 (random port); `answer(n)` handles the n-th request (1-based). */
async function serve(answer: (n: number, res: http.ServerResponse) => void): Promise<TestServer> {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    answer(++count, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    url: `http://127.0.0.1:${port}/`,
    hits: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

/** The app's page for total `n`, as app/counter.js renders it. */
function page(res: http.ServerResponse, total: number, servedBy = "test-app") {
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "X-Served-By": servedBy });
  res.end(
    "This page was generated after talking to redis.\n\nApplication Build: 1\n\n" +
      `Total requests: ${total}\n\nIP count: \n    ::ffff:127.0.0.1: ${total}\n`,
  );
}

function unavailable(res: http.ServerResponse) {
  res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" });
  res.end("redis is not connected\n");
}

describe("the spec", () => {
  test.each<[string, unknown, string]>([
    ["no spec", undefined, "CHECK_SPEC is not set"],
    ["not JSON", "{", "CHECK_SPEC is not JSON"],
    [
      "an unknown check",
      { check: "curl", timeoutSeconds: 5 },
      'CHECK_SPEC.check must be one of env, hosts, ping, http, keys, got "curl"',
    ],
    [
      "no timeout",
      { check: "http", url: "http://127.0.0.1:1/", requests: 1 },
      "CHECK_SPEC.timeoutSeconds must be a positive number",
    ],
    [
      "a negative timeout",
      { check: "http", url: "http://127.0.0.1:1/", requests: 1, timeoutSeconds: -1 },
      "timeoutSeconds must be a positive number",
    ],
    [
      "a field missing",
      { check: "ping", in: { container: "p" }, alias: "redis", timeoutSeconds: 5 },
      "CHECK_SPEC.address must be an object (check ping)",
    ],
    [
      "a field of the wrong type",
      { check: "env", in: { container: "c" }, alias: 7, timeoutSeconds: 5 },
      "CHECK_SPEC.alias must be a string (check env)",
    ],
    ["an empty spec", "", "CHECK_SPEC is not set"],
    ["JSON null", "null", "CHECK_SPEC.check must be one of env, hosts, ping, http, keys, got undefined"],
    [
      "a zero timeout",
      { check: "http", url: "http://127.0.0.1:1/", requests: 1, timeoutSeconds: 0 },
      "CHECK_SPEC.timeoutSeconds must be a positive number (check http)",
    ],
    [
      "a timeout written as text",
      { check: "http", url: "http://127.0.0.1:1/", requests: 1, timeoutSeconds: "5" },
      "CHECK_SPEC.timeoutSeconds must be a positive number (check http)",
    ],
    [
      "hosts without what it expects",
      { check: "hosts", in: { container: "c" }, alias: "redis", timeoutSeconds: 5 },
      "CHECK_SPEC.expected must be an object (check hosts)",
    ],
    [
      "http without a url",
      { check: "http", requests: 1, timeoutSeconds: 5 },
      "CHECK_SPEC.url must be a string (check http)",
    ],
    [
      "keys without the keys",
      { check: "keys", in: { container: "c" }, alias: "redis", timeoutSeconds: 5 },
      "CHECK_SPEC.keys must be an object (check keys)",
    ],
    [
      "a null address",
      { check: "ping", in: { container: "p" }, alias: "redis", address: null, timeoutSeconds: 5 },
      "CHECK_SPEC.address must be an object (check ping)",
    ],
  ])("%s: exit 2, nothing on stdout, the usage", async (_name, spec, message) => {
    const r = await run(spec);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("usage: CHECK_SPEC='<json>' node checks/run.js");
  });
});

describe("http", () => {
  const httpSpec = (url: string, requests: number, timeoutSeconds = 10, extra: object = {}) => ({
    check: "http",
    url,
    requests,
    timeoutSeconds,
    ...extra,
  });

  test("an app that counts: exit 0, one line of JSON with every response, the spec echoed", async () => {
    const app = await serve((n, res) => page(res, n));
    const spec = httpSpec(app.url, 3);
    const r = await run(spec);
    expect(r.stderr).not.toContain("failed");
    expect(r.code).toBe(0);
    // The readiness GET was the first request, so the counted ones see 2, 3, 4.
    expect(result(r, spec)).toEqual({
      check: "http",
      ok: true,
      expected: `3 GETs to ${app.url}: all HTTP 200, Total requests up by one each time`,
      seen: "statuses 200, 200, 200; totals 2, 3, 4; served by test-app",
      data: {
        url: app.url,
        responses: [
          { status: 200, totalRequests: 2, servedBy: "test-app" },
          { status: 200, totalRequests: 3, servedBy: "test-app" },
          { status: 200, totalRequests: 4, servedBy: "test-app" },
        ],
      },
    });
    expect(app.hits()).toBe(4);
    // Progress goes to stderr, as it happens.
    expect(r.stderr).toContain(`[check] ${app.url} answers 200; sending 3 requests\n`);
  });

  test("replicas (X-Served-By varies) sharing one counter, at least two of them wanted", async () => {
    const app = await serve((n, res) => page(res, 10 + n, `replica-${n % 2}`));
    const r = await run(httpSpec(app.url, 2, 10, { minServers: 2 }));
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "http",
      ok: true,
      expected: `2 GETs to ${app.url}: all HTTP 200, Total requests up by one each time, answered by at least 2 replicas`,
      seen: "statuses 200, 200; totals 12, 13; served by replica-0, replica-1 (2 replicas: replica-0 1, replica-1 1)",
      data: {
        url: app.url,
        responses: [
          { status: 200, totalRequests: 12, servedBy: "replica-0" },
          { status: 200, totalRequests: 13, servedBy: "replica-1" },
        ],
        servers: { "replica-0": 1, "replica-1": 1 },
        minServers: 2,
      },
    });
  });

  test("one GET is one GET", async () => {
    const app = await serve((n, res) => page(res, n));
    const r = await run(httpSpec(app.url, 1));
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      expected: `1 GET to ${app.url}: all HTTP 200, Total requests up by one each time`,
      seen: "statuses 200; totals 2; served by test-app",
    });
  });

  test("one replica answering when two are wanted fails, saying why", async () => {
    const app = await serve((n, res) => page(res, n, "only-one"));
    const r = await run(httpSpec(app.url, 3, 10, { minServers: 2 }));
    expect(r.code).toBe(1);
    const expected = `3 GETs to ${app.url}: all HTTP 200, Total requests up by one each time, answered by at least 2 replicas`;
    const seen = "statuses 200, 200, 200; totals 2, 3, 4; served by only-one (1 replica: only-one 3)";
    expect(failureOf(r)).toEqual([
      `check http failed: only 1 replica(s) of the app at ${app.url} answered`,
      `  expected: ${expected}`,
      `  seen:     ${seen}`,
      "  - each GET goes on a new connection, which the routing mesh (or the gateway) hands to the next replica",
    ]);
    expect(result(r)).toEqual({
      check: "http",
      ok: false,
      expected,
      seen,
      data: {
        url: app.url,
        responses: [2, 3, 4].map((n) => ({ status: 200, totalRequests: n, servedBy: "only-one" })),
        servers: { "only-one": 3 },
        minServers: 2,
      },
    });
  });

  test("a counter that skips a number: exit 1, stderr shows the expected and the seen totals", async () => {
    const totals = [1, 2, 3, 5];
    const app = await serve((n, res) => page(res, totals[n - 1] ?? 99));
    const r = await run(httpSpec(app.url, 3));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `check http failed: the app at ${app.url} did not count 3 requests as expected`,
    );
    expect(r.stderr).toMatch(/expected: .*totals 2, 3, 4\b/);
    expect(r.stderr).toMatch(/seen: +statuses 200, 200, 200; totals 2, 3, 5\b/);
    expect(result(r)).toMatchObject({ check: "http", ok: false });
  });

  test("a counted request that is not 200 fails the check", async () => {
    const app = await serve((n, res) => (n === 3 ? unavailable(res) : page(res, n)));
    const r = await run(httpSpec(app.url, 3));
    expect(r.code).toBe(1);
    expect(failureOf(r)).toEqual([
      `check http failed: the app at ${app.url} did not count 3 requests as expected`,
      `  expected: 3 GETs to ${app.url}: all HTTP 200, Total requests up by one each time (statuses 200, 200, 200; totals 2, 3, 4)`,
      "  seen:     statuses 200, 503, 200; totals 2, none, 4; served by test-app",
    ]);
  });

  test("a counted request answered with the right page but not 200 fails: the status counts too", async () => {
    const app = await serve((n, res) => {
      if (n !== 3) return page(res, n);
      res.writeHead(203, { "Content-Type": "text/plain; charset=utf-8", "X-Served-By": "test-app" });
      res.end(`Total requests: ${n}\n`);
    });
    const r = await run(httpSpec(app.url, 3));
    expect(r.code).toBe(1);
    expect(failureOf(r)[2]).toBe("  seen:     statuses 200, 203, 200; totals 2, 3, 4; served by test-app");
  });

  test("a counted request that gets no answer at all is shown with why", async () => {
    const app = await serve((n, res) => (n === 3 ? res.socket?.destroy() : page(res, n)));
    const r = await run(httpSpec(app.url, 3));
    expect(r.code).toBe(1);
    expect(failureOf(r)).toEqual([
      `check http failed: the app at ${app.url} did not count 3 requests as expected`,
      `  expected: 3 GETs to ${app.url}: all HTTP 200, Total requests up by one each time (statuses 200, 200, 200; totals 2, 3, 4)`,
      "  seen:     statuses 200, none (socket hang up), 200; totals 2, none, 4; served by test-app",
    ]);
    expect((result(r).data as { responses: unknown[] }).responses).toEqual([
      { status: 200, totalRequests: 2, servedBy: "test-app" },
      { status: null, totalRequests: null, servedBy: null, error: "socket hang up" },
      { status: 200, totalRequests: 4, servedBy: "test-app" },
    ]);
  });

  test("a page without a total fails the check", async () => {
    const app = await serve((_n, res) => {
      res.writeHead(200);
      res.end("hello\n");
    });
    const r = await run(httpSpec(app.url, 2));
    expect(r.code).toBe(1);
    expect(failureOf(r).slice(1)).toEqual([
      `  expected: 2 GETs to ${app.url}: all HTTP 200, Total requests up by one each time (statuses 200, 200; totals increasing by one)`,
      "  seen:     statuses 200, 200; totals none, none",
    ]);
  });

  test("503 while Redis is away, then 200: the check waits", async () => {
    const app = await serve((n, res) => (n <= 3 ? unavailable(res) : page(res, n - 3)));
    const r = await run(httpSpec(app.url, 2));
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({ ok: true, seen: "statuses 200, 200; totals 2, 3; served by test-app" });
    expect(app.hits()).toBe(6);
    expect(r.stderr).toContain('HTTP 503 "redis is not connected"; retrying');
  });

  test("never 200 within a 2 s bound: exit 1 after retrying, naming what it waited for", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const r = await run(httpSpec(app.url, 1, 2));
    expect(r.code).toBe(1);
    // It kept asking until its deadline (2 s, with pauses of 200 ms and more), not just once.
    expect(app.hits()).toBeGreaterThan(1);
    const expected = `${app.url} answers HTTP 200 within 2 s (it answers 503 until Redis is reachable)`;
    const seen = expect.stringMatching(
      new RegExp(`^${literally(app.url)}: HTTP 503 "redis is not connected" \\(\\d+ attempts\\)$`),
    );
    // No container named: no logs to show.
    expect(failureOf(r)).toEqual([
      `check http failed: waited 2 s for ${app.url} to answer HTTP 200`,
      `  expected: ${expected}`,
      expect.stringMatching(/^ {2}seen: {5}/),
    ]);
    expect(result(r)).toEqual({
      check: "http",
      ok: false,
      expected,
      seen,
      data: { url: app.url, responses: [] },
    });
  });

  test("a server that never answers is bounded too", async () => {
    const app = await serve(() => undefined);
    const r = await run(httpSpec(app.url, 1, 2));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`waited 2 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toMatch(/no answer within \d+ ms/);
  });

  test("a readiness GET gets half a second even when the bound is nearer: no attempt is cut short to nothing", async () => {
    const app = await serve(() => undefined);
    const r = await run(httpSpec(app.url, 1, 0.3));
    expect(failureOf(r)[2]).toBe(`  seen:     ${app.url}: no answer within 500 ms (1 attempts)`);
  });

  test("nothing listening is bounded too", async () => {
    const app = await serve((_n, res) => unavailable(res));
    await app.close();
    const r = await run(httpSpec(app.url, 1, 1));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ECONNREFUSED");
  });
});
// --- container checks against a fake docker CLI -------------------------------------------------

interface FakeAnswer {
  stdout?: string;
  stderr?: string;
  code?: number;
  /** Answer only after this long (a hung engine): the call's own bound cuts it first. */
  sleepMs?: number;
}
/** Calls whose arguments, joined by spaces, start with `prefix` get `answers` in turn (the last repeats). */
interface FakeRule {
  prefix: string;
  answers: FakeAnswer[];
}

const FAKE_DOCKER = `#!/usr/bin/env node
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_DOCKER_CALLS, JSON.stringify(args) + "\\n");
const rules = JSON.parse(fs.readFileSync(process.env.FAKE_DOCKER_RULES, "utf8"));
const joined = args.join(" ");
const rule = rules.find((r) => joined.startsWith(r.prefix));
if (!rule) {
  process.stderr.write("fake docker: no rule for " + joined + "\\n");
  process.exit(125);
}
const seen = fs.readFileSync(process.env.FAKE_DOCKER_CALLS, "utf8").split("\\n").filter(Boolean)
  .filter((line) => JSON.parse(line).join(" ").startsWith(rule.prefix)).length;
const answer = rule.answers[Math.min(seen, rule.answers.length) - 1];
const finish = () => {
  process.stdout.write(answer.stdout || "");
  process.stderr.write(answer.stderr || "");
  process.exit(answer.code || 0);
};
if (answer.sleepMs) setTimeout(finish, answer.sleepMs);
else finish();
`;

let fakeDir: string;
beforeAll(() => {
  fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "checks-run-"));
  fs.writeFileSync(path.join(fakeDir, "docker"), FAKE_DOCKER, { mode: 0o755 });
});
afterAll(() => {
  fs.rmSync(fakeDir, { recursive: true, force: true });
});

let runCount = 0;
/** Runs a check with the fake docker first on PATH; returns the run and the docker calls made. */
async function runWithDocker(spec: unknown, rules: FakeRule[]): Promise<Run & { calls: string[][] }> {
  const id = ++runCount;
  const rulesFile = path.join(fakeDir, `rules-${id}.json`);
  const callsFile = path.join(fakeDir, `calls-${id}.jsonl`);
  fs.writeFileSync(rulesFile, JSON.stringify(rules));
  fs.writeFileSync(callsFile, "");
  const r = await run(spec, {
    PATH: `${fakeDir}${path.delimiter}${NODE_DIR}${path.delimiter}${process.env.PATH ?? ""}`,
    FAKE_DOCKER_RULES: rulesFile,
    FAKE_DOCKER_CALLS: callsFile,
  });
  const calls = fs
    .readFileSync(callsFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
  return { ...r, calls };
}

/**
 * A check that failed at its first answer, well before its deadline: `prefix` was asked once, and
 * nothing was retried (retryUntil announces each retry on stderr).
 */
function expectNoRetry(r: Run & { calls: string[][] }, prefix: string) {
  expect(r.calls.filter((call) => call.join(" ").startsWith(prefix))).toHaveLength(1);
  expect(r.stderr).not.toContain("retrying");
}

const ID = "a".repeat(64);
/** What `docker inspect --format '{{.Id}} {{json .State}}'` prints for a container in `state`. */
const inState = (state: object, id = ID): FakeAnswer => ({ stdout: `${id} ${JSON.stringify(state)}\n` });
const RUNNING_STATE = { Status: "running", Running: true, Paused: false, Restarting: false };
const HEALTHY_STATE = { Status: "running", Running: true, Health: { Status: "healthy", Log: [] } };
const STARTING_STATE = {
  Status: "running",
  Running: true,
  Health: { Status: "starting", Log: [{ Output: "unhealthy: HTTP 503" }] },
};
const RUNNING = inState(RUNNING_STATE);
const inspect = (container: string, ...answers: FakeAnswer[]): FakeRule => ({
  prefix: `inspect --type container --format {{.Id}} {{json .State}} ${container}`,
  answers,
});
/** The state alone, as the http check reads Redis's when the app never answers. */
const stateOnly = (container: string, state: object): FakeRule => ({
  prefix: `inspect --type container --format {{json .State}} ${container}`,
  answers: [{ stdout: JSON.stringify(state) }],
});
const logs = (container: string, stdout: string): FakeRule => ({
  prefix: `logs --tail 20 ${container}`,
  answers: [{ stdout }],
});

describe("any container check", () => {
  const spec = (id?: string) => ({
    check: "ping",
    in: { container: "link-probe", id },
    alias: "redis",
    address: { ip: "172.31.240.10" },
    timeoutSeconds: 60,
  });

  test("a container replaced outside the stack (another id) fails at once, saying so", async () => {
    const r = await runWithDocker(spec("b".repeat(64)), [inspect("link-probe", RUNNING)]);
    expect(r.code).toBe(1);
    expectNoRetry(r, "inspect --type container");
    expect(r.stderr).toContain("check ping failed: container link-probe is not the one the stack made");
    expect(r.stderr).toContain(
      "expected: container link-probe with id bbbbbbbbbbbb (as the stack recorded it)",
    );
    expect(r.stderr).toContain(
      "seen:     container link-probe has id aaaaaaaaaaaa: it was replaced outside the stack; run npm run up",
    );
  });

  test("a container that is gone fails at once, naming it", async () => {
    const gone = { code: 1, stderr: "Error: No such container: link-probe\n" };
    const r = await runWithDocker(spec(ID), [inspect("link-probe", gone)]);
    expect(r.code).toBe(1);
    expectNoRetry(r, "inspect --type container");
    expect(r.stderr).toContain("check ping failed: container link-probe does not exist");
    expect(result(r)).toMatchObject({ ok: false, data: { container: "link-probe" } });
  });

  test("an engine that does not answer is retried until the bound, with what it said", async () => {
    const down = { code: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n" };
    const r = await runWithDocker({ ...spec(ID), timeoutSeconds: 1 }, [
      inspect("link-probe", down),
      logs("link-probe", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("check ping failed: container link-probe was not ready within 1 s");
    expect(r.stderr).toContain("Cannot connect to the Docker daemon");
  });
});

describe("http around containers (fake docker)", () => {
  const spec = (url: string, extra: object) => ({
    check: "http",
    url,
    requests: 1,
    timeoutSeconds: 1,
    ...extra,
  });

  test("an app that answers needs no look at Redis", async () => {
    const app = await serve((n, res) => page(res, n));
    const r = await runWithDocker(spec(app.url, { source: { container: "redis-server" } }), []);
    await app.close();
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([]);
  });

  // Its healthcheck asks the app, whose answers are what is checked here: waiting for it would
  // wait on the check itself.
  test("the app's container need only run: its health is not waited for", async () => {
    const app = await serve((n, res) => page(res, n));
    const r = await runWithDocker(spec(app.url, { app: { container: "counter-app", id: ID } }), [
      inspect("counter-app", inState(STARTING_STATE)),
    ]);
    await app.close();
    expect(r.code).toBe(0);
    expect(r.calls).toHaveLength(1);
    expect(app.hits()).toBe(2);
  });

  test("the app's container is looked at first: one that is gone fails without waiting for answers", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const gone = { code: 1, stderr: "Error: No such container: counter-app\n" };
    const r = await runWithDocker(
      spec(app.url, { app: { container: "counter-app", id: ID }, timeoutSeconds: 60 }),
      [inspect("counter-app", gone)],
    );
    await app.close();
    expect(r.code).toBe(1);
    expect(app.hits()).toBe(0);
    expect(r.stderr).toContain("check http failed: container counter-app does not exist");
  });

  test("an app that never answers because Redis never got ready names Redis, with its logs", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const r = await runWithDocker(
      spec(app.url, { source: { container: "redis-server" }, app: { container: "counter-app" } }),
      [
        inspect("counter-app", RUNNING),
        stateOnly("redis-server", STARTING_STATE),
        logs("redis-server", "Can't open the append-only file\n"),
      ],
    );
    await app.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "check http failed: the app never answered 200, and Redis (container redis-server) is not ready",
    );
    expect(r.stderr).toContain("seen:     container redis-server: running, health: starting");
    expect(r.stderr).toContain("  | Can't open the append-only file");
  });

  test("an app that never answers while Redis is healthy names the app, with its logs", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const r = await runWithDocker(
      spec(app.url, { source: { container: "redis-server" }, app: { container: "counter-app" } }),
      [
        inspect("counter-app", RUNNING),
        stateOnly("redis-server", HEALTHY_STATE),
        logs("counter-app", "redis unavailable at redis:6379 (getaddrinfo ENOTFOUND redis); retrying\n"),
      ],
    );
    await app.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`check http failed: waited 1 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toContain("last 20 log lines of container counter-app:");
    expect(r.stderr).toContain("  | redis unavailable at redis:6379 (getaddrinfo ENOTFOUND redis); retrying");
  });
});

const LINK_ENV = {
  REDIS_PORT: "tcp://172.31.240.10:6379",
  REDIS_PORT_6379_TCP: "tcp://172.31.240.10:6379",
  REDIS_PORT_6379_TCP_ADDR: "172.31.240.10",
  REDIS_PORT_6379_TCP_PORT: "6379",
  REDIS_PORT_6379_TCP_PROTO: "tcp",
  REDIS_NAME: "/counter-app/redis",
  REDIS_ENV_REDIS_VERSION: "7.0.15",
};
const APP_ENV =
  "PATH=/usr/bin\nHOSTNAME=efdd88ba292a\n" +
  Object.entries(LINK_ENV)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("") +
  "REDIS_HOST=redis\nREDIS_PASSWORD_FILE=/run/secrets/redis-password\nPORT=3000\nHOME=/home/node\n";
const LINK_VARS = { prefix: "REDIS", pattern: linkVarPattern("redis").source };

describe("env (fake docker)", () => {
  const spec = (expected: Record<string, string>, extra: object = {}) => ({
    check: "env",
    in: { container: "counter-app", id: ID },
    alias: "redis",
    linkVars: LINK_VARS,
    expected,
    timeoutSeconds: 5,
    ...extra,
  });

  test("legacy: exactly the expected link variables, read as soon as the container runs", async () => {
    // The app's health depends on the link itself, so the env check does not wait for it.
    const r = await runWithDocker(spec(LINK_ENV), [
      inspect("counter-app", inState(STARTING_STATE)),
      { prefix: "exec counter-app env", answers: [{ stdout: APP_ENV }] },
    ]);
    expect(r.code).toBe(0);
    expect(result(r, spec(LINK_ENV))).toEqual({
      check: "env",
      ok: true,
      expected: "exactly 7 REDIS_* link variables, REDIS_PORT=tcp://172.31.240.10:6379",
      seen: "7 REDIS_* link variables, REDIS_PORT=tcp://172.31.240.10:6379, all as expected",
      data: { container: "counter-app", vars: LINK_ENV },
    });
    expect(r.calls).toEqual([
      ["inspect", "--type", "container", "--format", "{{.Id}} {{json .State}}", "counter-app"],
      ["exec", "counter-app", "env"],
    ]);
  });

  test("legacy: a wrong value fails, showing both values and the container's logs", async () => {
    const r = await runWithDocker(spec({ ...LINK_ENV, REDIS_NAME: "/other/redis" }), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app env", answers: [{ stdout: APP_ENV }] },
      logs("counter-app", "listening on port 3000\nredis connected at redis:6379\n"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "check env failed: the REDIS_* link variables in container counter-app are not as expected",
    );
    expect(r.stderr).toContain('REDIS_NAME: expected "/other/redis", seen "/counter-app/redis"');
    expect(r.stderr).toContain(
      "last 20 log lines of container counter-app:\n  | listening on port 3000\n  | redis connected",
    );
    expect(result(r)).toMatchObject({ check: "env", ok: false });
  });

  test("network: no link variables, and says why none are expected", async () => {
    const networkSpec = spec({}, { noneBecause: "network DNS" });
    const r = await runWithDocker(networkSpec, [
      inspect("counter-app", RUNNING),
      {
        prefix: "exec counter-app env",
        answers: [{ stdout: "PATH=/usr/bin\nREDIS_HOST=redis\nPORT=3000\n" }],
      },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "env",
      ok: true,
      expected: "no REDIS_* link variables (network DNS)",
      seen: "no REDIS_* link variables in counter-app (network DNS)",
      data: { container: "counter-app", vars: {} },
    });
  });

  test("network: a link variable that is there fails", async () => {
    const r = await runWithDocker(spec({}), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app env", answers: [{ stdout: APP_ENV }] },
      logs("counter-app", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("expected: no REDIS_* link variables");
    expect(r.stderr).toContain('REDIS_PORT: unexpected (seen "tcp://172.31.240.10:6379")');
  });

  test("swarm: looks into a running task of the service it made", async () => {
    const swarmSpec = spec(
      {},
      { in: { service: "counter-app", id: "svc1" }, noneBecause: "swarm: DNS on the overlay" },
    );
    const r = await runWithDocker(swarmSpec, [
      { prefix: "service inspect --format {{.ID}} counter-app", answers: [{ stdout: "svc1\n" }] },
      {
        prefix: "ps --filter label=com.docker.swarm.service.name=counter-app",
        answers: [{ stdout: "counter-app.2.x\ncounter-app.1.y\n" }],
      },
      inspect("counter-app.1.y", RUNNING),
      { prefix: "exec counter-app.1.y env", answers: [{ stdout: "REDIS_HOST=redis\n" }] },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      ok: true,
      data: { container: "counter-app.1.y", vars: {}, service: "counter-app" },
    });
  });

  test("swarm: a service replaced outside the stack fails at once", async () => {
    const swarmSpec = spec({}, { in: { service: "counter-app", id: "svc1" }, timeoutSeconds: 60 });
    const r = await runWithDocker(swarmSpec, [
      { prefix: "service inspect --format {{.ID}} counter-app", answers: [{ stdout: "svc2\n" }] },
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("check env failed: service counter-app is not the one the stack made");
  });

  test("a container that has exited fails at once, with its logs", async () => {
    const exited = inState({ Status: "exited", Running: false, ExitCode: 1 });
    const r = await runWithDocker(spec({}, { timeoutSeconds: 60 }), [
      inspect("counter-app", exited),
      logs("counter-app", "REDIS_PORT must be a port number\n"),
    ]);
    expect(r.code).toBe(1);
    expectNoRetry(r, "inspect --type container");
    expect(r.stderr).toContain("check env failed: container counter-app has stopped");
    expect(r.stderr).toContain("seen:     exited (exit code 1)");
    expect(r.stderr).toContain("  | REDIS_PORT must be a port number");
  });

  test("a container that never starts running: bounded, and names the container", async () => {
    const r = await runWithDocker(spec({}, { timeoutSeconds: 1 }), [
      inspect("counter-app", inState({ Status: "created", Running: false })),
      logs("counter-app", "redis unavailable at redis:6379\n"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("check env failed: container counter-app was not ready within 1 s");
    expect(r.stderr).toContain("  | redis unavailable at redis:6379");
  });
});

const ETC_HOSTS =
  "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
  "172.31.240.10\tredis 9b478dd7e8b0 redis-server\n172.31.240.11\tefdd88ba292a\n";

describe("hosts (fake docker)", () => {
  const line = { ip: "172.31.240.10", names: ["redis", "9b478dd7e8b0", "redis-server"] };
  const spec = (expected: object, timeoutSeconds = 5) => ({
    check: "hosts",
    in: { container: "counter-app" },
    alias: "redis",
    expected,
    timeoutSeconds,
  });
  const dns = { resolvesTo: { ip: "172.31.240.10" }, via: "network DNS" };

  test("legacy: the link's line", async () => {
    const r = await runWithDocker(spec({ line }), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: ETC_HOSTS }] },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "hosts",
      ok: true,
      expected: 'one /etc/hosts line "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
      seen: '/etc/hosts line "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
      data: { container: "counter-app", lines: [line] },
    });
  });

  test("legacy: one line per name instead of one line fails", async () => {
    const split = "172.31.240.10\tredis\n172.31.240.10\t9b478dd7e8b0\n172.31.240.10\tredis-server\n";
    const r = await runWithDocker(spec({ line }), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: split }] },
      logs("counter-app", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'expected: one /etc/hosts line "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
    );
    expect(r.stderr).toContain('names: expected "redis 9b478dd7e8b0 redis-server", seen "redis"');
  });

  test("network: no line, and getent resolves the alias (retried until it does)", async () => {
    const r = await runWithDocker(spec(dns), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: "127.0.0.1\tlocalhost\n" }] },
      {
        prefix: "exec counter-app getent hosts redis",
        answers: [{ code: 2 }, { stdout: "172.31.240.10   redis\n" }],
      },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "hosts",
      ok: true,
      expected: "no /etc/hosts line for redis; getent hosts redis gives 172.31.240.10 (network DNS)",
      seen: "no /etc/hosts line for redis; getent hosts redis gives 172.31.240.10 in counter-app (network DNS)",
      data: { container: "counter-app", lines: [], address: "172.31.240.10" },
    });
    expect(r.calls.filter((c) => c.includes("getent"))).toHaveLength(2);
  });

  test("network: an /etc/hosts line for the alias fails", async () => {
    const r = await runWithDocker(spec(dns), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: ETC_HOSTS }] },
      logs("counter-app", ""),
    ]);
    expect(r.code).toBe(1);
    expect(failureOf(r).slice(0, 4)).toEqual([
      "check hosts failed: /etc/hosts in container counter-app names redis",
      "  expected: no /etc/hosts line for redis; getent hosts redis gives 172.31.240.10 (network DNS)",
      '  seen:     /etc/hosts names redis: "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
      "  - a network alias is resolved by Docker's DNS; an /etc/hosts line means a link or extra host",
    ]);
    expect(result(r)).toMatchObject({ ok: false, data: { container: "counter-app", lines: [line] } });
  });

  // Docker's DNS answers with every container that has the alias on the network; getent prints
  // one line per address.
  test("network: the alias resolving to several addresses, the expected one among them, passes", async () => {
    const r = await runWithDocker(spec(dns), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: "127.0.0.1\tlocalhost\n" }] },
      {
        prefix: "exec counter-app getent hosts redis",
        answers: [{ stdout: "172.31.240.7    redis\n172.31.240.10   redis\n" }],
      },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      ok: true,
      seen: "no /etc/hosts line for redis; getent hosts redis gives 172.31.240.7, 172.31.240.10 in counter-app (network DNS)",
      data: { container: "counter-app", lines: [], address: "172.31.240.10" },
    });
  });

  test("network: a container without getent fails at once", async () => {
    const notFound = 'OCI runtime exec failed: exec: "getent": executable file not found in $PATH: unknown\n';
    const r = await runWithDocker(spec(dns, 60), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: "" }] },
      { prefix: "exec counter-app getent", answers: [{ code: 126, stderr: notFound }] },
      logs("counter-app", ""),
    ]);
    expect(r.code).toBe(1);
    expectNoRetry(r, "exec counter-app getent");
    expect(r.stderr).toContain("check hosts failed: cannot run getent in container counter-app");
  });
});

describe("ping (fake docker)", () => {
  const spec = (address: object, timeoutSeconds = 5) => ({
    check: "ping",
    in: { container: "link-probe" },
    alias: "redis",
    address,
    timeoutSeconds,
  });
  const reply =
    "PING redis (172.31.240.10): 56 data bytes\n64 bytes from 172.31.240.10: seq=0 ttl=64 time=0.1 ms\n\n" +
    "--- redis ping statistics ---\n1 packets transmitted, 1 packets received, 0% packet loss\n";

  test("retries until the alias answers, then reports the packets and the address", async () => {
    const r = await runWithDocker(spec({ ip: "172.31.240.10" }), [
      inspect("link-probe", RUNNING),
      {
        prefix: "exec link-probe ping",
        answers: [{ code: 1, stderr: "ping: bad address 'redis'\n" }, { stdout: reply }],
      },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "ping",
      ok: true,
      expected: "ping -c 1 redis gets 1 reply from 172.31.240.10",
      seen: "1 of 1 replies, redis resolved to 172.31.240.10",
      data: {
        container: "link-probe",
        target: "redis",
        transmitted: 1,
        received: 1,
        address: "172.31.240.10",
      },
    });
    expect(r.calls.filter((c) => c[0] === "exec")).toEqual([
      ["exec", "link-probe", "ping", "-c", "1", "-W", "2", "redis"],
      ["exec", "link-probe", "ping", "-c", "1", "-W", "2", "redis"],
    ]);
    expect(r.stderr).toContain("ping: bad address 'redis'");
  });

  test("another address fails", async () => {
    const r = await runWithDocker(spec({ ip: "172.31.240.99" }), [
      inspect("link-probe", RUNNING),
      { prefix: "exec link-probe ping", answers: [{ stdout: reply }] },
      logs("link-probe", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("expected: ping -c 1 redis gets 1 reply from 172.31.240.99");
    expect(r.stderr).toContain("seen:     1 of 1 replies, redis resolved to 172.31.240.10");
  });

  test("a reply without ping's header line: the address is not known, so the check fails", async () => {
    const statsOnly =
      "--- redis ping statistics ---\n1 packets transmitted, 1 packets received, 0% packet loss\n";
    const r = await runWithDocker(spec({ ip: "172.31.240.10" }), [
      inspect("link-probe", RUNNING),
      { prefix: "exec link-probe ping", answers: [{ stdout: statsOnly }] },
      logs("link-probe", ""),
    ]);
    expect(failureOf(r).slice(0, 3)).toEqual([
      "check ping failed: ping in container link-probe reached redis at the wrong address",
      "  expected: ping -c 1 redis gets 1 reply from 172.31.240.10",
      "  seen:     1 of 1 replies, redis resolved to (not shown)",
    ]);
    expect(result(r)).toMatchObject({ ok: false, data: { received: 1, address: null } });
  });

  test("swarm: the address is the one swarm gave the service's running task", async () => {
    const tasks = [
      {
        Status: { State: "shutdown" },
        NetworksAttachments: [{ Network: { Spec: { Name: "net" } }, Addresses: ["10.9.0.3/24"] }],
      },
      {
        Status: { State: "running" },
        NetworksAttachments: [{ Network: { Spec: { Name: "net" } }, Addresses: ["172.31.240.10/24"] }],
      },
    ];
    const r = await runWithDocker(spec({ service: "redis-server", network: "net" }), [
      {
        prefix: "service ps --quiet --no-trunc --filter desired-state=running redis-server",
        answers: [{ stdout: "t1\nt2\n" }],
      },
      { prefix: "inspect --type task t1 t2", answers: [{ stdout: JSON.stringify(tasks) }] },
      inspect("link-probe", RUNNING),
      { prefix: "exec link-probe ping", answers: [{ stdout: reply }] },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      expected: "ping -c 1 redis gets 1 reply from 172.31.240.10 (service redis-server's task)",
    });
  });

  test("no answer at all: bounded, with the last output", async () => {
    const r = await runWithDocker(spec({ ip: "172.31.240.10" }, 1), [
      inspect("link-probe", RUNNING),
      { prefix: "exec link-probe ping", answers: [{ code: 1, stderr: "ping: bad address 'redis'\n" }] },
      logs("link-probe", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("seen:     ping -c 1 -W 2 redis: ping: bad address 'redis'");
    expect(r.stderr).toContain("container link-probe has logged nothing");
  });
});

describe("keys (fake docker)", () => {
  const spec = (extra: object = {}) => ({
    check: "keys",
    in: { container: "redis-cli" },
    alias: "redis",
    keys: ["ip", "requests"],
    timeoutSeconds: 5,
    ...extra,
  });
  const query = ["redis-cli", "-h", "redis", "--raw", "KEYS", "*"];

  test("lists the app's keys; the pattern reaches redis-cli as a literal *", async () => {
    const r = await runWithDocker(spec(), [
      inspect("redis-cli", RUNNING),
      {
        prefix: "exec redis-cli redis-cli",
        answers: [
          { code: 1, stderr: "Could not connect to Redis at redis:6379: Connection refused\n" },
          { stdout: "requests\nip\n" },
        ],
      },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "keys",
      ok: true,
      expected: "redis-cli -h redis KEYS * lists ip and requests",
      seen: "KEYS * lists ip, requests",
      data: { container: "redis-cli", keys: ["ip", "requests"] },
    });
    expect(r.calls.filter((c) => c[0] === "exec")).toEqual([
      ["exec", "redis-cli", ...query],
      ["exec", "redis-cli", ...query],
    ]);
  });

  test("with a password file: redis-cli logs in from the file inside the container; no password passes here", async () => {
    const r = await runWithDocker(spec({ passwordFile: "/run/secrets/redis-password" }), [
      inspect("redis-cli", RUNNING),
      { prefix: "exec redis-cli sh -c", answers: [{ stdout: "ip\nrequests\n" }] },
    ]);
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c[0] === "exec")).toEqual([
      [
        "exec",
        "redis-cli",
        "sh",
        "-c",
        'REDISCLI_AUTH="$(cat "$0")" exec "$@"',
        "/run/secrets/redis-password",
        ...query,
      ],
    ]);
    expect(result(r)).toMatchObject({
      ok: true,
      expected: "redis-cli -h redis KEYS * lists ip and requests",
    });
  });

  test("NOAUTH (redis-cli exits 0) fails at once", async () => {
    const r = await runWithDocker(spec({ timeoutSeconds: 60 }), [
      inspect("redis-cli", RUNNING),
      { prefix: "exec redis-cli redis-cli", answers: [{ stdout: "NOAUTH Authentication required.\n" }] },
      logs("redis-cli", ""),
    ]);
    expect(r.code).toBe(1);
    expectNoRetry(r, "exec redis-cli redis-cli");
    expect(r.stderr).toContain("check keys failed: redis-cli in container redis-cli was refused by Redis");
    expect(r.stderr).toContain("seen:     NOAUTH Authentication required.");
  });

  test("missing keys fail with the keys seen", async () => {
    const r = await runWithDocker(spec(), [
      inspect("redis-cli", RUNNING),
      { prefix: "exec redis-cli redis-cli", answers: [{ stdout: "requests\n" }] },
      logs("redis-cli", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("check keys failed: Redis (via redis) lacks ip");
    expect(r.stderr).toContain("seen:     KEYS * lists requests");
    expect(result(r)).toEqual({
      check: "keys",
      ok: false,
      expected: "redis-cli -h redis KEYS * lists ip and requests",
      seen: "KEYS * lists requests",
      data: { container: "redis-cli", keys: ["requests"] },
    });
  });
});

// --- what a failed check says, line by line, and the ways a docker call fails ---------------------

describe("when the check cannot run at all", () => {
  test("no docker CLI: exit 1, no result, the cause on stderr", async () => {
    const empty = fs.mkdtempSync(path.join(fakeDir, "no-docker-"));
    const r = await run(
      {
        check: "ping",
        in: { container: "link-probe" },
        alias: "redis",
        address: { ip: "172.31.240.10" },
        timeoutSeconds: 5,
      },
      { PATH: empty },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^checks\/run\.js: Error: cannot run the docker CLI: spawn docker ENOENT\n {4}at /,
    );
  });
});

describe("docker calls that fail (fake docker)", () => {
  test("a call that hangs is cut at its own bound (2 s), and counts as a look that failed", async () => {
    const spec = {
      check: "env",
      in: { container: "counter-app" },
      alias: "redis",
      linkVars: LINK_VARS,
      expected: {},
      timeoutSeconds: 0.5,
    };
    const r = await runWithDocker(spec, [
      inspect("counter-app", { sleepMs: 10_000 }),
      logs("counter-app", ""),
    ]);
    expect(r.code).toBe(1);
    const seen = "container counter-app: docker inspect took longer than 2000 ms (after 1 looks)";
    expect(failureOf(r)).toEqual([
      "check env failed: container counter-app was not ready within 0.5 s",
      "  expected: container counter-app running",
      `  seen:     ${seen}`,
      "container counter-app has logged nothing",
    ]);
    expect(result(r)).toEqual({
      check: "env",
      ok: false,
      expected: "container counter-app running",
      seen,
      data: { container: "counter-app" },
    });
  });

  test("a call that fails without a word shows its exit code", async () => {
    const spec = {
      check: "ping",
      in: { container: "link-probe" },
      alias: "redis",
      address: { ip: "172.31.240.10" },
      timeoutSeconds: 0.3,
    };
    const r = await runWithDocker(spec, [inspect("link-probe", { code: 3 }), logs("link-probe", "")]);
    expect(r.code).toBe(1);
    expect(failureOf(r)).toEqual([
      "check ping failed: container link-probe was not ready within 0.3 s",
      "  expected: container link-probe running (and healthy, if it has a healthcheck)",
      expect.stringMatching(/^ {2}seen: {5}container link-probe: exit code 3 \(after \d+ looks\)$/),
      "container link-probe has logged nothing",
    ]);
  });

  test("logs that cannot be read say so in their place", async () => {
    const spec = {
      check: "env",
      in: { container: "counter-app" },
      alias: "redis",
      linkVars: LINK_VARS,
      expected: {},
      timeoutSeconds: 5,
    };
    const r = await runWithDocker(spec, [
      inspect("counter-app", inState({ Status: "exited", Running: false, ExitCode: 1 })),
      {
        prefix: "logs --tail 20 counter-app",
        answers: [
          { code: 1, stderr: "Error response from daemon: can not get logs from container which is dead\n" },
        ],
      },
    ]);
    expect(r.code).toBe(1);
    expect(failureOf(r)).toEqual([
      "check env failed: container counter-app has stopped",
      "  expected: container counter-app running",
      "  seen:     exited (exit code 1)",
      "(could not read the logs of container counter-app: Error response from daemon: can not get logs from container which is dead)",
    ]);
    expect(result(r)).toMatchObject({ data: { container: "counter-app" } });
  });

  test("a container that is gone: what was expected and what was seen, no logs to show", async () => {
    const spec = {
      check: "ping",
      in: { container: "link-probe" },
      alias: "redis",
      address: { ip: "172.31.240.10" },
      timeoutSeconds: 60,
    };
    const gone = { code: 1, stderr: "Error: No such object: link-probe\n" };
    const r = await runWithDocker(spec, [inspect("link-probe", gone)]);
    expect(failureOf(r)).toEqual([
      "check ping failed: container link-probe does not exist",
      "  expected: container link-probe running (and healthy, if it has a healthcheck)",
      "  seen:     no container link-probe: it was removed outside the stack; run npm run up",
    ]);
  });

  test("a container replaced by hand: the result names it", async () => {
    const spec = {
      check: "ping",
      in: { container: "link-probe", id: "b".repeat(64) },
      alias: "redis",
      address: { ip: "172.31.240.10" },
      timeoutSeconds: 60,
    };
    const r = await runWithDocker(spec, [inspect("link-probe", RUNNING)]);
    expect(result(r)).toEqual({
      check: "ping",
      ok: false,
      expected: "container link-probe with id bbbbbbbbbbbb (as the stack recorded it)",
      seen: "container link-probe has id aaaaaaaaaaaa: it was replaced outside the stack; run npm run up",
      data: { container: "link-probe" },
    });
  });
});

describe("http: why the app never answers (fake docker)", () => {
  test("Redis's state cannot be read: Redis is named, with what docker said", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const spec = {
      check: "http",
      url: app.url,
      requests: 1,
      timeoutSeconds: 0.3,
      source: { container: "redis-server" },
    };
    const r = await runWithDocker(spec, [
      {
        prefix: "inspect --type container --format {{json .State}} redis-server",
        answers: [{ code: 1, stderr: "Error: No such container: redis-server\n" }],
      },
      logs("redis-server", ""),
    ]);
    await app.close();
    expect(failureOf(r)).toEqual([
      "check http failed: the app never answered 200, and Redis (container redis-server) is not ready",
      `  expected: container redis-server running and healthy, then ${app.url} answers HTTP 200 within 0.3 s (it answers 503 until Redis is reachable)`,
      expect.stringMatching(
        new RegExp(
          `^ {2}seen: {5}container redis-server: Error: No such container: redis-server; ${literally(app.url)}: HTTP 503 "redis is not connected" \\(\\d+ attempts\\)$`,
        ),
      ),
      "container redis-server has logged nothing",
    ]);
    expect(result(r)).toMatchObject({ data: { url: app.url, responses: [] } });
  });

  test("Redis refused the app, as its log says: at once, with the cause and both ways out", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const spec = {
      check: "http",
      url: app.url,
      requests: 1,
      timeoutSeconds: 60,
      app: { container: "counter-app" },
    };
    const log = "redis unavailable at redis:6379 (NOAUTH Authentication required.); retrying\n";
    const r = await runWithDocker(spec, [inspect("counter-app", RUNNING), logs("counter-app", log)]);
    await app.close();
    expect(r.code).toBe(1);
    expect(app.hits()).toBe(1);
    expect(failureOf(r)).toEqual([
      "check http failed: the app did not log in to Redis",
      `  expected: ${app.url} answers HTTP 200, the app logged in to Redis with its password`,
      "  seen:     Redis refused the app (its log: NOAUTH Authentication required.); retrying)",
      "  - Redis requires a password (redisAuth: password, the default); the app must log in with it.",
      "  - Either the app reads it from the file its REDIS_PASSWORD_FILE variable names (/run/secrets/redis-password),",
      "  - or, for an app that cannot log in, set redisAuth to none (docs/config.md says what that opens).",
      "last 20 log lines of container counter-app:",
      "  | redis unavailable at redis:6379 (NOAUTH Authentication required.); retrying",
    ]);
    expect(result(r)).toMatchObject({ data: { url: app.url, responses: [] } });
  });

  // Redis accepts connections (and refuses the app) before its healthcheck first passes: the
  // refusal is the cause, not Redis's health.
  test("a refusal while Redis's health is still starting is named as the refusal", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const spec = {
      check: "http",
      url: app.url,
      requests: 1,
      timeoutSeconds: 60,
      app: { container: "counter-app" },
      source: { container: "redis-server" },
    };
    const log = "redis unavailable at redis:6379 (NOAUTH Authentication required.); retrying\n";
    const r = await runWithDocker(spec, [
      inspect("counter-app", RUNNING),
      logs("counter-app", log),
      stateOnly("redis-server", STARTING_STATE),
    ]);
    await app.close();
    expect(failureOf(r)[0]).toBe("check http failed: the app did not log in to Redis");
    expect(r.calls.some((c) => c.includes("redis-server"))).toBe(false);
  });

  // `docker logs` of a container with a TTY ends each line with CR LF.
  test("Redis's refusal in a log with CR LF line ends is quoted without the CR", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const spec = {
      check: "http",
      url: app.url,
      requests: 1,
      timeoutSeconds: 60,
      app: { container: "counter-app" },
    };
    const log = "Error: NOAUTH Authentication required.\r\n";
    const r = await runWithDocker(spec, [inspect("counter-app", RUNNING), logs("counter-app", log)]);
    await app.close();
    expect(failureOf(r)[2]).toBe(
      "  seen:     Redis refused the app (its log: NOAUTH Authentication required.)",
    );
  });
});

describe("env: what differs (fake docker)", () => {
  const spec = (expected: Record<string, string>, extra: object = {}) => ({
    check: "env",
    in: { container: "counter-app" },
    alias: "redis",
    linkVars: LINK_VARS,
    expected,
    timeoutSeconds: 5,
    ...extra,
  });
  const env = (stdout: string): FakeRule[] => [
    inspect("counter-app", RUNNING),
    { prefix: "exec counter-app env", answers: [{ stdout }] },
    logs("counter-app", ""),
  ];

  test("more than three differences: the count, the first three, and every one as a detail", async () => {
    const wanted = {
      ...LINK_ENV,
      REDIS_NAME: "/web/redis",
      REDIS_PORT: "tcp://10.0.0.1:6379",
      REDIS_ENV_REDIS_VERSION: "8.0.0",
      REDIS_ENV_EXTRA: "1",
    };
    const r = await runWithDocker(spec(wanted), env(APP_ENV));
    expect(failureOf(r)).toEqual([
      "check env failed: the REDIS_* link variables in container counter-app are not as expected",
      "  expected: exactly 8 REDIS_* link variables, REDIS_PORT=tcp://10.0.0.1:6379",
      '  seen:     7 REDIS_* link variables, REDIS_PORT=tcp://172.31.240.10:6379; 4 differ, first: REDIS_ENV_EXTRA: missing (expected "1"); REDIS_ENV_REDIS_VERSION: expected "8.0.0", seen "7.0.15"; REDIS_NAME: expected "/web/redis", seen "/counter-app/redis"',
      '  - REDIS_ENV_EXTRA: missing (expected "1")',
      '  - REDIS_ENV_REDIS_VERSION: expected "8.0.0", seen "7.0.15"',
      '  - REDIS_NAME: expected "/web/redis", seen "/counter-app/redis"',
      '  - REDIS_PORT: expected "tcp://10.0.0.1:6379", seen "tcp://172.31.240.10:6379"',
      "container counter-app has logged nothing",
    ]);
  });

  test("three differences are all shown, without 'first'", async () => {
    const wanted = {
      ...LINK_ENV,
      REDIS_NAME: "/web/redis",
      REDIS_ENV_REDIS_VERSION: "8.0.0",
      REDIS_ENV_EXTRA: "1",
    };
    const r = await runWithDocker(spec(wanted), env(APP_ENV));
    expect(failureOf(r)[2]).toBe(
      '  seen:     7 REDIS_* link variables, REDIS_PORT=tcp://172.31.240.10:6379; 3 differ: REDIS_ENV_EXTRA: missing (expected "1"); REDIS_ENV_REDIS_VERSION: expected "8.0.0", seen "7.0.15"; REDIS_NAME: expected "/web/redis", seen "/counter-app/redis"',
    );
  });

  test("one variable, no REDIS_PORT among them", async () => {
    const r = await runWithDocker(
      spec({ REDIS_NAME: "/counter-app/redis" }),
      env("REDIS_NAME=/counter-app/redis\n"),
    );
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      expected: "exactly 1 REDIS_* link variable",
      seen: "1 REDIS_* link variable, all as expected",
    });
  });

  test("none expected, none seen, no reason given", async () => {
    const r = await runWithDocker(spec({}), env("PATH=/bin\n"));
    expect(result(r)).toMatchObject({
      ok: true,
      expected: "no REDIS_* link variables",
      seen: "no REDIS_* link variables in counter-app",
    });
  });

  test("none expected and some there: the expected line says no more than that", async () => {
    const r = await runWithDocker(spec({}), env("REDIS_NAME=/counter-app/redis\n"));
    expect(failureOf(r).slice(1, 3)).toEqual([
      "  expected: no REDIS_* link variables",
      '  seen:     1 REDIS_* link variable; 1 differ: REDIS_NAME: unexpected (seen "/counter-app/redis")',
    ]);
  });

  test("env that never runs: gave up after its attempts, with what docker exec said", async () => {
    const restarting = {
      code: 1,
      stderr:
        "Error response from daemon: Container abc is restarting, wait until the container is running\n",
    };
    const r = await runWithDocker(spec({}, { timeoutSeconds: 0.3 }), [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app env", answers: [restarting] },
      logs("counter-app", ""),
    ]);
    expect(failureOf(r)).toEqual([
      expect.stringMatching(/^check env failed: gave up after \d+ attempts in 0\.3 s$/),
      "  expected: no REDIS_* link variables",
      "  seen:     env: Error response from daemon: Container abc is restarting, wait until the container is running",
      "container counter-app has logged nothing",
    ]);
    expect(result(r)).toMatchObject({ data: { container: "counter-app" } });
  });
});

describe("swarm subjects (fake docker)", () => {
  const spec = (extra: object = {}) => ({
    check: "env",
    in: { service: "counter-app", id: "svc1" },
    alias: "redis",
    linkVars: LINK_VARS,
    expected: {},
    noneBecause: "swarm: DNS on the overlay",
    timeoutSeconds: 0.3,
    ...extra,
  });
  const serviceInspect = (stdout: string): FakeRule => ({
    prefix: "service inspect --format {{.ID}} counter-app",
    answers: [{ stdout }],
  });
  const TASKS = "ps --filter label=com.docker.swarm.service.name=counter-app";

  test("the task container is found by label, running only, and looked into without waiting for health", async () => {
    const r = await runWithDocker(spec(), [
      serviceInspect("svc1\n"),
      { prefix: TASKS, answers: [{ stdout: "counter-app.1.y\n" }] },
      inspect("counter-app.1.y", inState(STARTING_STATE)),
      { prefix: "exec counter-app.1.y env", answers: [{ stdout: "REDIS_HOST=redis\n" }] },
    ]);
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c[0] === "ps")).toEqual([
      [
        "ps",
        "--filter",
        "label=com.docker.swarm.service.name=counter-app",
        "--filter",
        "status=running",
        "--format",
        "{{.Names}}",
      ],
    ]);
    expect(r.calls.filter((c) => c[0] === "inspect")).toHaveLength(1);
  });

  // A rolling update (a service update, a changed env) stops the task found first and starts
  // another: Docker answers an exec into a stopped container with "is not running".
  test.each([
    ["env", ["env"], { stdout: "REDIS_HOST=redis\n" }],
    ["hosts", ["cat", "/etc/hosts"], { stdout: "127.0.0.1\tlocalhost\n" }],
  ])(
    "%s: a task replaced during the check is looked for again, not retried until the bound",
    async (check, command, answer) => {
      const extra =
        check === "env"
          ? {}
          : {
              check: "hosts",
              expected: { resolvesTo: { ip: "172.31.240.10" }, via: "swarm: DNS on the overlay" },
            };
      const r = await runWithDocker(spec({ timeoutSeconds: 30, ...extra }), [
        serviceInspect("svc1\n"),
        { prefix: TASKS, answers: [{ stdout: "counter-app.1.old\n" }, { stdout: "counter-app.1.new\n" }] },
        inspect("counter-app.1.old", RUNNING),
        inspect("counter-app.1.new", RUNNING),
        {
          prefix: `exec counter-app.1.old ${command.join(" ")}`,
          answers: [{ code: 1, stderr: "Error response from daemon: container 0ba666e6 is not running\n" }],
        },
        { prefix: `exec counter-app.1.new ${command.join(" ")}`, answers: [answer] },
        {
          prefix: "exec counter-app.1.new getent hosts redis",
          answers: [{ stdout: "172.31.240.10   redis\n" }],
        },
      ]);
      // One retry, announced with what Docker said; then the replacement answers.
      expect(r.stderr.match(/retrying/g)).toHaveLength(1);
      expect(r.stderr).toContain("is not running; retrying");
      expect(r.code).toBe(0);
      expect(result(r)).toMatchObject({
        ok: true,
        data: { container: "counter-app.1.new", service: "counter-app" },
      });
      expect(r.calls.filter((c) => c[0] === "exec").map((c) => c[1])).toEqual(
        check === "env"
          ? ["counter-app.1.old", "counter-app.1.new"]
          : ["counter-app.1.old", "counter-app.1.new", "counter-app.1.new"],
      );
    },
  );

  // After an update swarm stops the replaced task, which answers until it has stopped (an app that
  // ignores SIGTERM: its whole stop grace period); the counted requests must reach the new ones.
  const REPLACED = "service ps --quiet --no-trunc --filter desired-state=shutdown counter-app";
  const task = (state: string, desired = "shutdown") =>
    JSON.stringify([{ ID: "old1", DesiredState: desired, Status: { State: state } }]);
  const httpOnSwarm = (url: string, timeoutSeconds: number) => ({
    check: "http",
    url,
    requests: 2,
    timeoutSeconds,
    minServers: 2,
    service: { service: "counter-app", id: "svc1" },
  });

  const NODES = "node ls --format {{.ID}} {{.Status}}";

  test("http: the requests wait until the task an update replaced has stopped", async () => {
    const app = await serve((n, res) => page(res, n, `replica-${n % 2}`));
    const r = await runWithDocker(httpOnSwarm(app.url, 30), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "old1\n" }] },
      {
        prefix: "inspect --type task old1",
        answers: [{ stdout: task("running") }, { stdout: task("shutdown") }],
      },
      { prefix: NODES, answers: [{ stdout: "node1 Ready\nnode2 Ready\n" }] },
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("service counter-app: replaced task(s) still running: old1; retrying");
    expect(r.calls.filter((c) => c[0] === "inspect")).toHaveLength(2);
    expect(result(r)).toMatchObject({ ok: true, data: { servers: { "replica-0": 1, "replica-1": 1 } } });
  });

  test("http: a replaced task that never stops fails the check before any request is counted", async () => {
    const app = await serve((n, res) => page(res, n, `replica-${n % 2}`));
    const r = await runWithDocker(httpOnSwarm(app.url, 0.3), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "old1\n" }] },
      { prefix: "inspect --type task old1", answers: [{ stdout: task("running") }] },
      { prefix: NODES, answers: [{ stdout: "node1 Ready\n" }] },
    ]);
    expect(failureOf(r)).toEqual([
      "check http failed: replaced tasks of service counter-app still ran after 0.3 s",
      "  expected: no task of service counter-app that swarm is stopping still running",
      expect.stringMatching(
        /^ {2}seen: {5}service counter-app: replaced task\(s\) still running: old1 \(after \d+ looks\)$/,
      ),
    ]);
    expect(result(r)).toMatchObject({ ok: false, data: { service: "counter-app" } });
    expect(app.hits()).toBe(0);
  });

  test("http: several replaced tasks still running are all named, comma-separated", async () => {
    const app = await serve((n, res) => page(res, n, `replica-${n % 2}`));
    const two = JSON.stringify([
      { ID: "old1", DesiredState: "shutdown", Status: { State: "running" } },
      { ID: "old2", DesiredState: "shutdown", Status: { State: "running" } },
    ]);
    const r = await runWithDocker(httpOnSwarm(app.url, 0.3), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "old1\nold2\n" }] },
      { prefix: "inspect --type task old1 old2", answers: [{ stdout: two }] },
      { prefix: NODES, answers: [{ stdout: "node1 Ready\n" }] },
    ]);
    expect(failureOf(r)[2]).toMatch(
      /^ {2}seen: {5}service counter-app: replaced task\(s\) still running: old1, old2 \(after \d+ looks\)$/,
    );
    expect(app.hits()).toBe(0);
  });

  test("http: the replaced tasks cannot be listed or inspected for a while: waited for, saying why", async () => {
    // What the CLI prints while the swarm's managers have lost their quorum.
    const noLeader = {
      code: 1,
      stderr:
        "Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader. " +
        "It's possible that too few managers are online. Make sure more than half of the managers are online.\n",
    };
    const app = await serve((n, res) => page(res, n, `replica-${n % 2}`));
    const r = await runWithDocker(httpOnSwarm(app.url, 30), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [noLeader, { stdout: "old1\n" }] },
      { prefix: "inspect --type task old1", answers: [noLeader, { stdout: task("shutdown") }] },
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("not yet: service counter-app: Error response from daemon: rpc error:");
    expect(r.stderr).toContain(
      "not yet: tasks of service counter-app: Error response from daemon: rpc error:",
    );
    expect(r.calls.filter((c) => c.join(" ").startsWith(REPLACED))).toHaveLength(3);
    expect(result(r)).toMatchObject({ ok: true, data: { servers: { "replica-0": 1, "replica-1": 1 } } });
  });

  test("http: a replaced task on a node swarm has lost (its last report: running) does not hold the requests", async () => {
    const app = await serve((n, res) => page(res, n, `replica-${n % 2}`));
    const onLostNode = JSON.stringify([
      { ID: "old1", NodeID: "worker2", DesiredState: "shutdown", Status: { State: "running" } },
    ]);
    const r = await runWithDocker(httpOnSwarm(app.url, 30), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "old1\n" }] },
      { prefix: "inspect --type task old1", answers: [{ stdout: onLostNode }] },
      { prefix: NODES, answers: [{ stdout: "manager1 Ready\nworker2 Down\nworker3 Ready\n" }] },
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("retrying");
    expect(result(r)).toMatchObject({ ok: true, data: { servers: { "replica-0": 1, "replica-1": 1 } } });
    // The same task on a node that is Ready is waited for.
    const held = await runWithDocker(httpOnSwarm(app.url, 0.3), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "old1\n" }] },
      { prefix: "inspect --type task old1", answers: [{ stdout: onLostNode }] },
      { prefix: NODES, answers: [{ stdout: "manager1 Ready\nworker2 Ready\n" }] },
    ]);
    expect(failureOf(held)[0]).toBe(
      "check http failed: replaced tasks of service counter-app still ran after 0.3 s",
    );
  });

  test("http: when the nodes cannot be listed, the requests wait (bounded) and say why", async () => {
    const app = await serve((n, res) => page(res, n, `replica-${n % 2}`));
    const r = await runWithDocker(httpOnSwarm(app.url, 0.3), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "old1\n" }] },
      { prefix: "inspect --type task old1", answers: [{ stdout: task("running") }] },
      {
        prefix: NODES,
        answers: [{ code: 1, stderr: "Error response from daemon: This node is not a swarm manager." }],
      },
    ]);
    expect(failureOf(r)[2]).toMatch(
      /^ {2}seen: {5}swarm nodes: .*This node is not a swarm manager\. \(after \d+ looks\)$/,
    );
    expect(app.hits()).toBe(0);
  });

  test("http: tasks of earlier updates that have stopped, or none at all, do not hold the requests", async () => {
    const app = await serve((n, res) => page(res, n, `replica-${n % 2}`));
    const stopped = await runWithDocker(httpOnSwarm(app.url, 30), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "old1\n" }] },
      { prefix: "inspect --type task old1", answers: [{ stdout: task("shutdown") }] },
    ]);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).not.toContain("retrying");
    const none = await runWithDocker(httpOnSwarm(app.url, 30), [
      serviceInspect("svc1\n"),
      { prefix: REPLACED, answers: [{ stdout: "" }] },
    ]);
    expect(none.code).toBe(0);
    expect(none.calls.filter((c) => c[0] === "inspect")).toHaveLength(0);
  });

  test("a task that stops, with no other running yet: looked for again until the bound, and named", async () => {
    const r = await runWithDocker(spec({ timeoutSeconds: 1 }), [
      serviceInspect("svc1\n"),
      { prefix: TASKS, answers: [{ stdout: "counter-app.1.old\n" }, { stdout: "\n" }] },
      inspect("counter-app.1.old", RUNNING),
      {
        prefix: "exec counter-app.1.old env",
        answers: [{ code: 1, stderr: "Error response from daemon: container 0ba666e6 is not running\n" }],
      },
    ]);
    expect(r.stderr).toContain("not yet: service counter-app has no running task here; retrying");
    const failure = failureOf(r);
    expect(failure[0]).toMatch(/^check env failed: gave up after \d+ attempts in 1 s$/);
    expect(failure[2]).toBe("  seen:     service counter-app has no running task here");
    expect(r.calls.filter((c) => c[0] === "exec").map((c) => c[1])).toEqual(["counter-app.1.old"]);
  });

  test("a command that ran (exit 0) is never a missing executable, whatever it wrote on stderr", async () => {
    const r = await runWithDocker(spec(), [
      serviceInspect("svc1\n"),
      { prefix: TASKS, answers: [{ stdout: "counter-app.1.y\n" }] },
      inspect("counter-app.1.y", RUNNING),
      {
        prefix: "exec counter-app.1.y env",
        answers: [{ stdout: "REDIS_HOST=redis\n", stderr: "sh: exec: executable file not found in $PATH\n" }],
      },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({ ok: true, data: { container: "counter-app.1.y" } });
  });

  test("without a recorded id, the service is not asked for one", async () => {
    const r = await runWithDocker(spec({ in: { service: "counter-app" } }), [
      { prefix: TASKS, answers: [{ stdout: "counter-app.1.y\n" }] },
      inspect("counter-app.1.y", RUNNING),
      { prefix: "exec counter-app.1.y env", answers: [{ stdout: "" }] },
    ]);
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c[0])).toEqual(["ps", "inspect", "exec"]);
  });

  test("a service that is gone fails at once", async () => {
    const r = await runWithDocker(spec({ timeoutSeconds: 60 }), [
      {
        prefix: "service inspect --format {{.ID}} counter-app",
        answers: [{ code: 1, stderr: "Error: no such service: counter-app\n" }],
      },
    ]);
    expect(failureOf(r)).toEqual([
      "check env failed: service counter-app is not there",
      "  expected: service counter-app (id svc1, as the stack recorded it)",
      "  seen:     Error: no such service: counter-app; run npm run up",
    ]);
    expect(result(r)).toMatchObject({ data: { service: "counter-app" } });
  });

  test.each<[string, FakeAnswer, string]>([
    ["no running task here", { stdout: "\n" }, "service counter-app has no running task here"],
    [
      "ps failing",
      { code: 1, stderr: "Cannot connect to the Docker daemon\n" },
      "service counter-app: Cannot connect to the Docker daemon",
    ],
  ])("%s until the bound: named, with the last reason", async (_what, answer, last) => {
    const r = await runWithDocker(spec(), [serviceInspect("svc1\n"), { prefix: TASKS, answers: [answer] }]);
    expect(failureOf(r)).toEqual([
      "check env failed: no running task of service counter-app on this engine within 0.3 s",
      "  expected: a running task container of service counter-app on the engine the checks talk to",
      expect.stringMatching(new RegExp(`^ {2}seen: {5}${literally(last)} \\(after \\d+ looks\\)$`)),
    ]);
    expect(result(r)).toMatchObject({ data: { service: "counter-app" } });
  });
});

describe("hosts: what the lines say (fake docker)", () => {
  const line = { ip: "172.31.240.10", names: ["redis", "9b478dd7e8b0", "redis-server"] };
  const spec = (expected: object, extra: object = {}) => ({
    check: "hosts",
    in: { container: "counter-app" },
    alias: "redis",
    expected,
    timeoutSeconds: 5,
    ...extra,
  });
  const hosts = (stdout: string): FakeRule[] => [
    inspect("counter-app", RUNNING),
    { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout }] },
    logs("counter-app", ""),
  ];
  const dns = { resolvesTo: { ip: "172.31.240.10" }, via: "network DNS" };

  test("legacy: no line for the alias", async () => {
    const r = await runWithDocker(spec({ line }), hosts("127.0.0.1\tlocalhost\n"));
    expect(failureOf(r).slice(0, 4)).toEqual([
      "check hosts failed: /etc/hosts in container counter-app is not as expected for redis",
      '  expected: one /etc/hosts line "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
      "  seen:     no /etc/hosts line names redis",
      '  - no line for the alias; expected "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
    ]);
    expect(result(r)).toMatchObject({ data: { container: "counter-app", lines: [] } });
  });

  test("/etc/hosts that cannot be read until the bound: gave up, saying what was expected", async () => {
    const r = await runWithDocker(spec({ line }, { timeoutSeconds: 0.3 }), [
      inspect("counter-app", RUNNING),
      {
        prefix: "exec counter-app cat /etc/hosts",
        answers: [{ code: 1, stderr: "cat: can't open '/etc/hosts': No such file or directory\n" }],
      },
      logs("counter-app", ""),
    ]);
    expect(failureOf(r).slice(0, 3)).toEqual([
      expect.stringMatching(/^check hosts failed: gave up after \d+ attempts in 0\.3 s$/),
      '  expected: one /etc/hosts line "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
      "  seen:     cat /etc/hosts: cat: can't open '/etc/hosts': No such file or directory",
    ]);
  });

  test("legacy: two lines for the alias", async () => {
    const r = await runWithDocker(
      spec({ line }),
      hosts("172.31.240.10\tredis\n172.31.240.11\tredis other\n"),
    );
    expect(failureOf(r)[2]).toBe(
      '  seen:     2 /etc/hosts lines: "172.31.240.10 redis", "172.31.240.11 redis other"',
    );
  });

  test("network: the alias resolves elsewhere", async () => {
    const r = await runWithDocker(spec(dns), [
      ...hosts("127.0.0.1\tlocalhost\n").slice(0, 2),
      { prefix: "exec counter-app getent hosts redis", answers: [{ stdout: "172.31.240.99   redis\n" }] },
      logs("counter-app", ""),
    ]);
    const seen =
      "no /etc/hosts line for redis; getent hosts redis gives 172.31.240.99 in counter-app (network DNS)";
    expect(failureOf(r).slice(0, 3)).toEqual([
      "check hosts failed: redis resolves to the wrong address in container counter-app",
      "  expected: no /etc/hosts line for redis; getent hosts redis gives 172.31.240.10 (network DNS)",
      `  seen:     ${seen}`,
    ]);
    expect(result(r)).toMatchObject({
      seen,
      data: { container: "counter-app", lines: [], address: "172.31.240.99" },
    });
  });

  test("network: getent that answers nothing yet is asked again", async () => {
    const r = await runWithDocker(spec(dns), [
      ...hosts("").slice(0, 2),
      {
        prefix: "exec counter-app getent hosts redis",
        answers: [{ stdout: "" }, { stdout: "172.31.240.10 redis\n" }],
      },
    ]);
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c.includes("getent"))).toHaveLength(2);
    expect(r.stderr).toContain("[check] not yet: getent hosts redis: no address; retrying");
  });

  test("network: a container without getent: what exec said, where", async () => {
    const notFound = 'OCI runtime exec failed: exec: "getent": executable file not found in $PATH: unknown\n';
    const r = await runWithDocker(spec(dns), [
      ...hosts("").slice(0, 2),
      { prefix: "exec counter-app getent", answers: [{ code: 126, stderr: notFound }] },
      logs("counter-app", ""),
    ]);
    expect(failureOf(r).slice(0, 3)).toEqual([
      "check hosts failed: cannot run getent in container counter-app",
      "  expected: no /etc/hosts line for redis; getent hosts redis gives 172.31.240.10 (network DNS)",
      `  seen:     getent hosts redis: ${notFound.trim()}`,
    ]);
    expect(result(r)).toMatchObject({ data: { container: "counter-app" } });
  });

  test("a swarm service's task: the service is in the result", async () => {
    const r = await runWithDocker(spec({ line }, { in: { service: "counter-app" } }), [
      {
        prefix: "ps --filter label=com.docker.swarm.service.name=counter-app",
        answers: [{ stdout: "counter-app.1.y\n" }],
      },
      inspect("counter-app.1.y", RUNNING),
      { prefix: "exec counter-app.1.y cat /etc/hosts", answers: [{ stdout: ETC_HOSTS }] },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      data: { container: "counter-app.1.y", lines: [line], service: "counter-app" },
    });
  });
});

describe("ping: finding the address and the reply (fake docker)", () => {
  const swarm = { service: "redis-server", network: "net" };
  const spec = (address: object, timeoutSeconds = 0.3) => ({
    check: "ping",
    in: { container: "link-probe" },
    alias: "redis",
    address,
    timeoutSeconds,
  });
  const PS = "service ps --quiet --no-trunc --filter desired-state=running redis-server";
  const task = (state: string, address: string) => ({
    Status: { State: state },
    NetworksAttachments: [{ Network: { Spec: { Name: "net" } }, Addresses: [address] }],
  });

  test.each<[string, FakeRule[], string]>([
    [
      "ps failing",
      [{ prefix: PS, answers: [{ code: 1, stderr: "Error: No such service: redis-server\n" }] }],
      "service redis-server: Error: No such service: redis-server",
    ],
    ["no task", [{ prefix: PS, answers: [{ stdout: "\n" }] }], "service redis-server has no task"],
    [
      "tasks that cannot be inspected",
      [
        { prefix: PS, answers: [{ stdout: "t1\n" }] },
        { prefix: "inspect --type task t1", answers: [{ code: 1, stderr: "Error: No such object: t1\n" }] },
      ],
      "tasks of service redis-server: Error: No such object: t1",
    ],
    [
      "no running task with an address",
      [
        { prefix: PS, answers: [{ stdout: "t1\n" }] },
        {
          prefix: "inspect --type task t1",
          answers: [{ stdout: JSON.stringify([task("shutdown", "10.0.0.3/24")]) }],
        },
      ],
      "service redis-server has no running task with an address on net",
    ],
    [
      "two running tasks",
      [
        { prefix: PS, answers: [{ stdout: "t1\nt2\n" }] },
        {
          prefix: "inspect --type task t1 t2",
          answers: [
            { stdout: JSON.stringify([task("running", "10.0.0.4/24"), task("running", "10.0.0.3/24")]) },
          ],
        },
      ],
      "service redis-server has 2 running tasks on net (10.0.0.3, 10.0.0.4)",
    ],
  ])("the service's address, %s until the bound", async (_what, rules, last) => {
    const r = await runWithDocker(spec(swarm), rules);
    expect(failureOf(r)).toEqual([
      "check ping failed: no address for service redis-server on net within 0.3 s",
      "  expected: one running task of service redis-server with an address on network net",
      expect.stringMatching(new RegExp(`^ {2}seen: {5}${literally(last)} \\(after \\d+ looks\\)$`)),
    ]);
    expect(result(r)).toMatchObject({ data: { service: "redis-server", network: "net" } });
  });

  test("a probe still starting is waited for until healthy", async () => {
    const r = await runWithDocker(spec({ ip: "172.31.240.10" }), [
      inspect("link-probe", inState(STARTING_STATE)),
      logs("link-probe", ""),
    ]);
    expect(failureOf(r).slice(0, 3)).toEqual([
      "check ping failed: container link-probe was not ready within 0.3 s",
      "  expected: container link-probe running (and healthy, if it has a healthcheck)",
      expect.stringMatching(
        /^ {2}seen: {5}container link-probe: running, health: starting \(last health check: unhealthy: HTTP 503\) \(after \d+ looks\)$/,
      ),
    ]);
    expect(result(r)).toMatchObject({ data: { container: "link-probe" } });
  });

  test.each<[string, FakeAnswer, string]>([
    [
      "no reply",
      {
        stdout:
          "PING redis (172.31.240.10): 56 data bytes\n\n--- redis ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n",
      },
      "ping -c 1 -W 2 redis: PING redis (172.31.240.10): 56 data bytes --- redis ping statistics --- 1 packets transmitted, 0 packets received, 100% packet loss",
    ],
    ["nothing printed", { stdout: "" }, "ping -c 1 -W 2 redis: no reply"],
  ])("ping exiting 0 with %s is asked again until the bound", async (_what, answer, last) => {
    const r = await runWithDocker(spec({ ip: "172.31.240.10" }), [
      inspect("link-probe", RUNNING),
      { prefix: "exec link-probe ping", answers: [answer] },
      logs("link-probe", ""),
    ]);
    expect(failureOf(r).slice(0, 3)).toEqual([
      expect.stringMatching(/^check ping failed: gave up after \d+ attempts in 0\.3 s$/),
      "  expected: ping -c 1 redis gets 1 reply from 172.31.240.10",
      `  seen:     ${last}`,
    ]);
  });
});

describe("keys: what redis-cli said (fake docker)", () => {
  const spec = (extra: object = {}) => ({
    check: "keys",
    in: { container: "redis-cli" },
    alias: "redis",
    keys: ["ip", "requests"],
    timeoutSeconds: 5,
    ...extra,
  });
  const cli = (...answers: FakeAnswer[]): FakeRule[] => [
    inspect("redis-cli", RUNNING),
    { prefix: "exec redis-cli redis-cli", answers },
    logs("redis-cli", ""),
  ];

  test("refused by Redis: why, and what would fix it", async () => {
    const r = await runWithDocker(spec(), cli({ stdout: "NOAUTH Authentication required.\n" }));
    expect(failureOf(r)).toEqual([
      "check keys failed: redis-cli in container redis-cli was refused by Redis",
      "  expected: redis-cli -h redis KEYS * lists ip and requests",
      "  seen:     NOAUTH Authentication required.",
      "  - redis-cli must authenticate with the password Redis was started with",
      "container redis-cli has logged nothing",
    ]);
    expect(result(r)).toMatchObject({ data: { container: "redis-cli", keys: [] } });
  });

  test("an empty database: no keys, both missing", async () => {
    const r = await runWithDocker(spec(), cli({ stdout: "\n" }));
    expect(failureOf(r).slice(0, 4)).toEqual([
      "check keys failed: Redis (via redis) lacks ip and requests",
      "  expected: redis-cli -h redis KEYS * lists ip and requests",
      "  seen:     KEYS * lists no keys",
      "  - the app writes these keys on every request; the http check should have run first",
    ]);
  });

  test("Redis still loading is waited out", async () => {
    const r = await runWithDocker(
      spec(),
      cli({ stdout: "LOADING Redis is loading the dataset in memory\n" }, { stdout: "ip\nrequests\n" }),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "[check] not yet: redis-cli -h redis KEYS *: LOADING Redis is loading the dataset in memory; retrying",
    );
  });

  test("a key named like an error reply is a key", async () => {
    const r = await runWithDocker(spec({ keys: ["MY_ERR"] }), cli({ stdout: "MY_ERR\n" }));
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({ seen: "KEYS * lists MY_ERR" });
  });

  test("an error reply that only mentions NOPERM is waited on, not taken as a refusal", async () => {
    const r = await runWithDocker(
      spec({ timeoutSeconds: 0.3 }),
      cli({ stdout: "ERR unknown subcommand NOPERM\n" }),
    );
    expect(failureOf(r).slice(0, 3)).toEqual([
      expect.stringMatching(/^check keys failed: gave up after \d+ attempts in 0\.3 s$/),
      "  expected: redis-cli -h redis KEYS * lists ip and requests",
      "  seen:     redis-cli -h redis KEYS *: ERR unknown subcommand NOPERM",
    ]);
  });
});
