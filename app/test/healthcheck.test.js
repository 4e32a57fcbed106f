// @ts-check
const { afterAll, beforeAll, describe, expect, test } = require("@jest/globals");
const { spawn } = require("node:child_process");
const http = require("node:http");
const { checkHealth } = require("../healthcheck");
const { HEALTHCHECK_JS, closedPort, within } = require("./helpers");

/** /healthz answers with the status in `healthStatus`; /stall never answers. */
let healthStatus = 200;
/** @type {http.Server} */
let server;
/** @type {number} */
let port;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url !== "/healthz") return; // never answered
    res.writeHead(healthStatus).end(healthStatus === 200 ? "ok" : "no");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  port = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
});

/**
 * Runs `node app/healthcheck.js` as the image's HEALTHCHECK does.
 * @param {number} appPort
 * @returns {Promise<{ code: number | null, stdout: string }>}
 */
function runHealthcheck(appPort) {
  const child = spawn(process.execPath, [HEALTHCHECK_JS], {
    env: { PATH: process.env.PATH ?? "", PORT: String(appPort) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  return within(
    new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout }))),
    5000,
    "healthcheck.js",
  ).finally(() => child.kill("SIGKILL"));
}

describe("checkHealth", () => {
  test("healthy on 200", async () => {
    healthStatus = 200;
    expect(await checkHealth({ port })).toEqual({ healthy: true, detail: "HTTP 200" });
  });

  test("unhealthy on 503", async () => {
    healthStatus = 503;
    expect(await checkHealth({ port })).toEqual({ healthy: false, detail: "HTTP 503" });
  });

  test("unhealthy when nothing listens", async () => {
    const result = await checkHealth({ port: await closedPort() });
    expect(result.healthy).toBe(false);
    expect(result.detail).toMatch(/ECONNREFUSED/);
  });

  test("unhealthy, not stuck, when the app never answers", async () => {
    const stalled = http.createServer(() => {});
    await new Promise((resolve) => stalled.listen(0, "127.0.0.1", () => resolve(undefined)));
    const stalledPort = /** @type {import("node:net").AddressInfo} */ (stalled.address()).port;
    try {
      // The detail is the timer's: the check gave up by itself.
      const result = await checkHealth({ port: stalledPort, timeoutMs: 300 });
      expect(result).toEqual({ healthy: false, detail: "no answer within 300 ms" });
    } finally {
      stalled.closeAllConnections();
      stalled.close();
    }
  });
});

describe("healthcheck.js", () => {
  test("exits 0 when /healthz says 200", async () => {
    healthStatus = 200;
    expect(await runHealthcheck(port)).toEqual({ code: 0, stdout: "healthy: HTTP 200\n" });
  });

  test("exits 1 when /healthz says 503", async () => {
    healthStatus = 503;
    expect(await runHealthcheck(port)).toEqual({ code: 1, stdout: "unhealthy: HTTP 503\n" });
  });

  test("exits 1 when nothing listens", async () => {
    const { code } = await runHealthcheck(await closedPort());
    expect(code).toBe(1);
  });
});
