// checks/run.js as the stack runs it (`node checks/run.js <check>`, inputs in the environment),
// with no Docker: the http check talks to small servers started here that mimic the counter app, and
// the container checks find a fake `docker` first on PATH that answers from a script and records
// every call. Every wait is bounded; nothing sleeps for a fixed time.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const RUN_JS = path.join(__dirname, "..", "..", "checks", "run.js");
const NODE_DIR = path.dirname(process.execPath);

jest.setTimeout(20000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `node checks/run.js ...args` with only PATH and `env`; killed (and the test failed) after `limitMs`. */
function run(args: string[], env: Record<string, string>, limitMs = 15000): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [RUN_JS, ...args], {
    env: { PATH: `${NODE_DIR}${path.delimiter}${process.env.PATH ?? ""}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`run.js ${args.join(" ")} still running after ${limitMs} ms; stderr so far:\n${stderr}`),
      );
    }, limitMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The one line of JSON on stdout. */
function result(r: Run): Record<string, unknown> {
  const lines = r.stdout.split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe("");
  return JSON.parse(lines[0]);
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

describe("usage", () => {
  test("an unknown check name is a usage error", async () => {
    const r = await run(["curl"], {});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('got "curl"');
    expect(r.stderr).toContain("usage: node checks/run.js <env|hosts|ping|http|keys>");
  });

  test("no check name, or more than one, is a usage error", async () => {
    for (const args of [[], ["http", "keys"]]) {
      const r = await run(args, {});
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("usage: node checks/run.js");
    }
  });

  test.each<[string, string, Record<string, string>, string]>([
    ["http", "no CHECK_URL", {}, "CHECK_URL is required"],
    ["http", "not a URL", { CHECK_URL: "localhost 3000" }, 'CHECK_URL is not a URL: "localhost 3000"'],
    ["http", "not http", { CHECK_URL: "ftp://127.0.0.1/" }, "CHECK_URL must be http:// or https://"],
    [
      "http",
      "a bad request count",
      { CHECK_URL: "http://127.0.0.1:1/", CHECK_REQUESTS: "3x" },
      "CHECK_REQUESTS must be",
    ],
    [
      "http",
      "a bad timeout",
      { CHECK_URL: "http://127.0.0.1:1/", CHECK_TIMEOUT_SECONDS: "-1" },
      "CHECK_TIMEOUT_SECONDS must be",
    ],
    [
      "env",
      "no container",
      { CHECK_ALIAS: "redis", CHECK_EXPECTED_ENV: "{}" },
      "CHECK_CONTAINER is required",
    ],
    [
      "env",
      "bad JSON",
      { CHECK_CONTAINER: "c", CHECK_ALIAS: "redis", CHECK_EXPECTED_ENV: "{" },
      "CHECK_EXPECTED_ENV is not valid JSON",
    ],
    [
      "env",
      "link variables expected in network mode",
      {
        CHECK_CONTAINER: "c",
        CHECK_ALIAS: "redis",
        CHECK_MODE: "network",
        CHECK_EXPECTED_ENV: '{"REDIS_NAME":"/c/redis"}',
      },
      "must be {} in network mode",
    ],
    [
      "env",
      "a bad mode",
      { CHECK_CONTAINER: "c", CHECK_ALIAS: "redis", CHECK_MODE: "links" },
      "CHECK_MODE must be legacy or network",
    ],
    [
      "hosts",
      "bad expected hosts",
      { CHECK_CONTAINER: "c", CHECK_ALIAS: "redis", CHECK_EXPECTED_HOSTS: '{"ip":"1.2.3.4"}' },
      "CHECK_EXPECTED_HOSTS must be JSON",
    ],
    [
      "ping",
      "no expected address",
      { CHECK_CONTAINER: "c", CHECK_ALIAS: "redis" },
      "CHECK_EXPECTED_ADDRESS is required",
    ],
  ])("%s: %s", async (check, _name, env, message) => {
    const r = await run([check], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });
});

describe("http", () => {
  test("an app that counts: exit 0 and one line of JSON with every response", async () => {
    const app = await serve((n, res) => page(res, n));
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_REQUESTS: "3", CHECK_TIMEOUT_SECONDS: "10" });
    expect(r.stderr).not.toContain("failed");
    expect(r.code).toBe(0);
    // The readiness GET was the first request, so the counted ones see 2, 3, 4.
    expect(result(r)).toEqual({
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

  test("several replicas (X-Served-By varies) sharing one counter", async () => {
    const app = await serve((n, res) => page(res, 10 + n, `replica-${n % 2}`));
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_REQUESTS: "2" });
    expect(r.code).toBe(0);
    const { data, seen } = result(r) as { data: { responses: unknown[] }; seen: string };
    expect(data.responses).toEqual([
      { status: 200, totalRequests: 12, servedBy: "replica-0" },
      { status: 200, totalRequests: 13, servedBy: "replica-1" },
    ]);
    expect(seen).toBe("statuses 200, 200; totals 12, 13; served by replica-0, replica-1");
  });

  test("a counter that skips a number: non-zero exit, stderr shows the expected and the seen totals", async () => {
    const totals = [1, 2, 3, 5];
    const app = await serve((n, res) => page(res, totals[n - 1] ?? 99));
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_REQUESTS: "3", CHECK_TIMEOUT_SECONDS: "10" });
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
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_REQUESTS: "3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/seen: +statuses 200, 503, 200; totals 2, none, 4/);
  });

  test("a page without a total fails the check", async () => {
    const app = await serve((_n, res) => {
      res.writeHead(200);
      res.end("hello\n");
    });
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_REQUESTS: "2" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/seen: +statuses 200, 200; totals none, none/);
  });

  test("503 while Redis is away, then 200: the check waits, within its bound", async () => {
    const app = await serve((n, res) => (n <= 3 ? unavailable(res) : page(res, n - 3)));
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_REQUESTS: "2", CHECK_TIMEOUT_SECONDS: "10" });
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10000);
    expect(result(r)).toMatchObject({ ok: true, seen: "statuses 200, 200; totals 2, 3; served by test-app" });
    expect(app.hits()).toBe(6);
    expect(r.stderr).toContain('HTTP 503 "redis is not connected"; retrying');
  });

  test("never 200 with CHECK_TIMEOUT_SECONDS=2: non-zero exit within about 3 s, naming what it waited for", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_TIMEOUT_SECONDS: "2" });
    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(2000);
    expect(r.ms).toBeLessThan(3500);
    expect(r.stderr).toContain(`check http failed: waited 2 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toContain('HTTP 503 "redis is not connected"');
  });

  test("a server that never answers is bounded too", async () => {
    const app = await serve(() => undefined);
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_TIMEOUT_SECONDS: "2" });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(3500);
    expect(r.stderr).toContain(`waited 2 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toMatch(/no answer within \d+ ms/);
  });

  test("nothing listening is bounded too", async () => {
    const app = await serve((_n, res) => unavailable(res));
    await app.close();
    const r = await run(["http"], { CHECK_URL: app.url, CHECK_TIMEOUT_SECONDS: "1" });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(2500);
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
async function runWithDocker(
  check: string,
  env: Record<string, string>,
  rules: FakeRule[],
): Promise<Run & { calls: string[][] }> {
  const id = ++runCount;
  const rulesFile = path.join(fakeDir, `rules-${id}.json`);
  const callsFile = path.join(fakeDir, `calls-${id}.jsonl`);
  fs.writeFileSync(rulesFile, JSON.stringify(rules));
  fs.writeFileSync(callsFile, "");
  const r = await run([check], {
    ...env,
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

const RUNNING = {
  stdout: JSON.stringify({ Status: "running", Running: true, Paused: false, Restarting: false }),
};
const HEALTHY = {
  stdout: JSON.stringify({ Status: "running", Running: true, Health: { Status: "healthy", Log: [] } }),
};
const STARTING = {
  stdout: JSON.stringify({
    Status: "running",
    Running: true,
    Health: { Status: "starting", Log: [{ Output: "unhealthy: HTTP 503" }] },
  }),
};
const inspect = (container: string, ...answers: FakeAnswer[]): FakeRule => ({
  prefix: `inspect --format {{json .State}} ${container}`,
  answers,
});
const logs = (container: string, stdout: string): FakeRule => ({
  prefix: `logs --tail 20 ${container}`,
  answers: [{ stdout }],
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
  "REDIS_HOST=redis\nPORT=3000\nNODE_ENV=production\nHOME=/home/node\n";

describe("http around containers (fake docker)", () => {
  test("an app that answers needs no look at Redis", async () => {
    const app = await serve((n, res) => page(res, n));
    const r = await runWithDocker(
      "http",
      {
        CHECK_URL: app.url,
        CHECK_REQUESTS: "1",
        CHECK_SOURCE_CONTAINER: "redis-server",
        CHECK_TIMEOUT_SECONDS: "5",
      },
      [],
    );
    await app.close();
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([]);
  });

  test("an app that never answers because Redis never got ready names Redis, with its logs", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const r = await runWithDocker(
      "http",
      {
        CHECK_URL: app.url,
        CHECK_SOURCE_CONTAINER: "redis-server",
        CHECK_CONTAINER: "counter-app",
        CHECK_TIMEOUT_SECONDS: "1",
      },
      [inspect("redis-server", STARTING), logs("redis-server", "Can't open the append-only file\n")],
    );
    await app.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "check http failed: the app never answered 200, and Redis (container redis-server) is not ready",
    );
    expect(r.stderr).toContain("seen:     container redis-server: running, health: starting");
    expect(r.stderr).toContain("  | Can't open the append-only file");
  });

  test("an app that never answers while Redis is healthy names the app", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const r = await runWithDocker(
      "http",
      {
        CHECK_URL: app.url,
        CHECK_SOURCE_CONTAINER: "redis-server",
        CHECK_CONTAINER: "counter-app",
        CHECK_TIMEOUT_SECONDS: "1",
      },
      [inspect("redis-server", HEALTHY), logs("counter-app", "redis unavailable at redis:6379\n")],
    );
    await app.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`check http failed: waited 1 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toContain("last 20 log lines of container counter-app:");
  });

  test("an app that never answers 200 is named, with its logs", async () => {
    const app = await serve((_n, res) => unavailable(res));
    const r = await runWithDocker(
      "http",
      { CHECK_URL: app.url, CHECK_CONTAINER: "counter-app", CHECK_TIMEOUT_SECONDS: "1" },
      [logs("counter-app", "redis unavailable at redis:6379 (getaddrinfo ENOTFOUND redis); retrying\n")],
    );
    await app.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`check http failed: waited 1 s for ${app.url} to answer HTTP 200`);
    expect(r.stderr).toContain("last 20 log lines of container counter-app:");
    expect(r.stderr).toContain("  | redis unavailable at redis:6379 (getaddrinfo ENOTFOUND redis); retrying");
  });
});

describe("env (fake docker)", () => {
  const env = { CHECK_CONTAINER: "counter-app", CHECK_ALIAS: "redis", CHECK_TIMEOUT_SECONDS: "5" };

  test("legacy: exactly the expected link variables, read as soon as the container runs", async () => {
    // The app's health depends on the link itself, so the env check does not wait for it.
    const r = await runWithDocker(
      "env",
      { ...env, CHECK_MODE: "legacy", CHECK_EXPECTED_ENV: JSON.stringify(LINK_ENV) },
      [inspect("counter-app", STARTING), { prefix: "exec counter-app env", answers: [{ stdout: APP_ENV }] }],
    );
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "env",
      ok: true,
      expected: "exactly 7 REDIS_* link variables, REDIS_PORT=tcp://172.31.240.10:6379",
      seen: "7 REDIS_* link variables, REDIS_PORT=tcp://172.31.240.10:6379, all as expected",
      data: { container: "counter-app", vars: LINK_ENV },
    });
    expect(r.calls).toEqual([
      ["inspect", "--format", "{{json .State}}", "counter-app"],
      ["exec", "counter-app", "env"],
    ]);
  });

  test("legacy: a wrong value fails, showing both values and the container's logs", async () => {
    const expected = { ...LINK_ENV, REDIS_NAME: "/other/redis" };
    const r = await runWithDocker("env", { ...env, CHECK_EXPECTED_ENV: JSON.stringify(expected) }, [
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

  test("network: no link variables, and says so", async () => {
    const r = await runWithDocker("env", { ...env, CHECK_MODE: "network", CHECK_EXPECTED_ENV: "{}" }, [
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
      expected: "no REDIS_* link variables (a network alias sets none)",
      seen: "no REDIS_* link variables",
      data: { container: "counter-app", vars: {} },
    });
  });

  test("network: a link variable that is there fails", async () => {
    const r = await runWithDocker("env", { ...env, CHECK_MODE: "network" }, [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app env", answers: [{ stdout: APP_ENV }] },
      logs("counter-app", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("expected: no REDIS_* link variables");
    expect(r.stderr).toContain('REDIS_PORT: unexpected (seen "tcp://172.31.240.10:6379")');
  });

  test("a container that has exited fails at once, with its logs", async () => {
    const exited = { stdout: JSON.stringify({ Status: "exited", Running: false, ExitCode: 1 }) };
    const r = await runWithDocker("env", { ...env, CHECK_TIMEOUT_SECONDS: "60", CHECK_EXPECTED_ENV: "{}" }, [
      inspect("counter-app", exited),
      logs("counter-app", "REDIS_PORT must be a port number\n"),
    ]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(r.stderr).toContain("check env failed: container counter-app has stopped");
    expect(r.stderr).toContain("seen:     exited (exit code 1)");
    expect(r.stderr).toContain("  | REDIS_PORT must be a port number");
  });

  test("a container that never starts running: bounded, and names the container", async () => {
    const created = { stdout: JSON.stringify({ Status: "created", Running: false }) };
    const r = await runWithDocker("env", { ...env, CHECK_TIMEOUT_SECONDS: "1", CHECK_EXPECTED_ENV: "{}" }, [
      inspect("counter-app", created),
      logs("counter-app", "redis unavailable at redis:6379\n"),
    ]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(3000);
    expect(r.stderr).toContain("check env failed: container counter-app was not ready within 1 s");
    expect(r.stderr).toContain("  | redis unavailable at redis:6379");
  });
});

const ETC_HOSTS =
  "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
  "172.31.240.10\tredis 9b478dd7e8b0 redis-server\n172.31.240.11\tefdd88ba292a\n";

describe("hosts (fake docker)", () => {
  const env = { CHECK_CONTAINER: "counter-app", CHECK_ALIAS: "redis", CHECK_TIMEOUT_SECONDS: "5" };
  const expectedHosts = { ip: "172.31.240.10", names: ["redis", "9b478dd7e8b0", "redis-server"] };

  test("legacy: the link's line", async () => {
    const r = await runWithDocker("hosts", { ...env, CHECK_EXPECTED_HOSTS: JSON.stringify(expectedHosts) }, [
      inspect("counter-app", RUNNING),
      { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: ETC_HOSTS }] },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "hosts",
      ok: true,
      expected: 'one /etc/hosts line "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
      seen: '/etc/hosts line "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
      data: { container: "counter-app", lines: [expectedHosts] },
    });
  });

  test("legacy: one line per name instead of one line fails", async () => {
    const split = "172.31.240.10\tredis\n172.31.240.10\t9b478dd7e8b0\n172.31.240.10\tredis-server\n";
    const r = await runWithDocker("hosts", { ...env, CHECK_EXPECTED_HOSTS: JSON.stringify(expectedHosts) }, [
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
    const r = await runWithDocker(
      "hosts",
      { ...env, CHECK_MODE: "network", CHECK_EXPECTED_ADDRESS: "172.31.240.10" },
      [
        inspect("counter-app", RUNNING),
        { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: "127.0.0.1\tlocalhost\n" }] },
        {
          prefix: "exec counter-app getent hosts redis",
          answers: [{ code: 2 }, { stdout: "172.31.240.10   redis\n" }],
        },
      ],
    );
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "hosts",
      ok: true,
      expected: "no /etc/hosts line for redis; getent hosts redis gives 172.31.240.10 (network DNS)",
      seen: "no /etc/hosts line for redis; getent hosts redis gives 172.31.240.10",
      data: { container: "counter-app", lines: [], address: "172.31.240.10" },
    });
    expect(r.calls.filter((c) => c.includes("getent"))).toHaveLength(2);
  });

  test("network: an /etc/hosts line for the alias fails", async () => {
    const r = await runWithDocker(
      "hosts",
      { ...env, CHECK_MODE: "network", CHECK_EXPECTED_ADDRESS: "172.31.240.10" },
      [
        inspect("counter-app", RUNNING),
        { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: ETC_HOSTS }] },
        logs("counter-app", ""),
      ],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'seen:     /etc/hosts names redis: "172.31.240.10 redis 9b478dd7e8b0 redis-server"',
    );
  });

  test("network: a container without getent fails at once", async () => {
    const r = await runWithDocker(
      "hosts",
      { ...env, CHECK_MODE: "network", CHECK_EXPECTED_ADDRESS: "172.31.240.10", CHECK_TIMEOUT_SECONDS: "60" },
      [
        inspect("counter-app", RUNNING),
        { prefix: "exec counter-app cat /etc/hosts", answers: [{ stdout: "" }] },
        {
          prefix: "exec counter-app getent",
          answers: [
            {
              code: 126,
              stderr:
                'OCI runtime exec failed: exec: "getent": executable file not found in $PATH: unknown\n',
            },
          ],
        },
        logs("counter-app", ""),
      ],
    );
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(r.stderr).toContain("check hosts failed: cannot run getent in container counter-app");
  });
});

describe("ping (fake docker)", () => {
  const env = {
    CHECK_CONTAINER: "link-probe",
    CHECK_ALIAS: "redis",
    CHECK_EXPECTED_ADDRESS: "172.31.240.10",
    CHECK_TIMEOUT_SECONDS: "5",
  };
  const ok =
    "PING redis (172.31.240.10): 56 data bytes\n64 bytes from 172.31.240.10: seq=0 ttl=64 time=0.1 ms\n\n" +
    "--- redis ping statistics ---\n1 packets transmitted, 1 packets received, 0% packet loss\n";

  test("retries until the alias answers, then reports the packets and the address", async () => {
    const r = await runWithDocker("ping", env, [
      inspect("link-probe", RUNNING),
      {
        prefix: "exec link-probe ping",
        answers: [{ code: 1, stderr: "ping: bad address 'redis'\n" }, { stdout: ok }],
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
    const r = await runWithDocker("ping", { ...env, CHECK_EXPECTED_ADDRESS: "172.31.240.99" }, [
      inspect("link-probe", RUNNING),
      { prefix: "exec link-probe ping", answers: [{ stdout: ok }] },
      logs("link-probe", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("expected: ping -c 1 redis gets 1 reply from 172.31.240.99");
    expect(r.stderr).toContain("seen:     1 of 1 replies, redis resolved to 172.31.240.10");
  });

  test("no answer at all: bounded, with the last output", async () => {
    const r = await runWithDocker("ping", { ...env, CHECK_TIMEOUT_SECONDS: "1" }, [
      inspect("link-probe", RUNNING),
      { prefix: "exec link-probe ping", answers: [{ code: 1, stderr: "ping: bad address 'redis'\n" }] },
      logs("link-probe", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(3000);
    expect(r.stderr).toContain("seen:     ping -c 1 -W 2 redis: ping: bad address 'redis'");
    expect(r.stderr).toContain("container link-probe has logged nothing");
  });
});

describe("keys (fake docker)", () => {
  const env = { CHECK_CONTAINER: "redis-cli", CHECK_ALIAS: "redis", CHECK_TIMEOUT_SECONDS: "5" };
  const cliCall = ["exec", "redis-cli", "redis-cli", "-h", "redis", "--raw", "KEYS", "*"];

  test("lists the app's keys; the pattern reaches redis-cli as a literal *", async () => {
    const r = await runWithDocker("keys", env, [
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
    expect(r.calls.filter((c) => c[0] === "exec")).toEqual([cliCall, cliCall]);
  });

  test("NOAUTH (redis-cli exits 0) fails at once and never passes a password", async () => {
    const r = await runWithDocker("keys", { ...env, CHECK_TIMEOUT_SECONDS: "60" }, [
      inspect("redis-cli", RUNNING),
      { prefix: "exec redis-cli redis-cli", answers: [{ stdout: "NOAUTH Authentication required.\n" }] },
      logs("redis-cli", ""),
    ]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(r.stderr).toContain("seen:     NOAUTH Authentication required.");
    expect(r.stderr).toContain("REDISCLI_AUTH");
    expect(r.calls.flat().join(" ")).not.toMatch(/-a |--pass|--user|AUTH/);
  });

  test("missing keys fail with the keys seen", async () => {
    const r = await runWithDocker("keys", env, [
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
