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
  });

  test("replicas (X-Served-By varies) sharing one counter, at least two of them wanted", async () => {
    const app = await serve((n, res) => page(res, 10 + n, `replica-${n % 2}`));
    const r = await run(httpSpec(app.url, 2, 10, { minServers: 2 }));
    expect(r.code).toBe(0);
    const { data, seen } = result(r) as { data: { servers: unknown }; seen: string };
    expect(data.servers).toEqual({ "replica-0": 1, "replica-1": 1 });
    expect(seen).toBe(
      "statuses 200, 200; totals 12, 13; served by replica-0, replica-1 (2 replicas: replica-0 1, replica-1 1)",
    );
  });

  test("one replica answering when two are wanted fails, saying why", async () => {
    const app = await serve((n, res) => page(res, n, "only-one"));
    const r = await run(httpSpec(app.url, 3, 10, { minServers: 2 }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`check http failed: only 1 replica(s) of the app at ${app.url} answered`);
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
    expect(r.stderr).toMatch(/seen: +statuses 200, 503, 200; totals 2, none, 4/);
  });

  test("a page without a total fails the check", async () => {
    const app = await serve((_n, res) => {
      res.writeHead(200);
      res.end("hello\n");
    });
    const r = await run(httpSpec(app.url, 2));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/seen: +statuses 200, 200; totals none, none/);
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
    expect(r.stderr).toContain(`check http failed: waited 2 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toContain('HTTP 503 "redis is not connected"');
  });

  test("a server that never answers is bounded too", async () => {
    const app = await serve(() => undefined);
    const r = await run(httpSpec(app.url, 1, 2));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`waited 2 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toMatch(/no answer within \d+ ms/);
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
process.stdout.write(answer.stdout || "");
process.stderr.write(answer.stderr || "");
process.exit(answer.code || 0);
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
    expect(r.stderr).toContain(
      'seen:     /etc/hosts names redis: "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
    );
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
