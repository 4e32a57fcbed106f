// @ts-check
// The app as a process with no Redis to reach: it must keep answering, and shrug off hostile
// clients. Counting against a Redis is counting.test.js's job (a stand-in) and the integration
// tests' (the real one).
const { afterAll, beforeAll, describe, expect, test } = require("@jest/globals");
const net = require("node:net");
const os = require("node:os");
const { HEADERS_TIMEOUT_MS, CONNECTIONS_CHECK_MS } = require("../server");
const { NOT_STUCK_MS, rawExchange, request, spawnServer, within } = require("./helpers");

const PASSWORD = "canary-password-never-logged";

/** @type {import("./helpers").RunningServer} */
let app;
/**
 * Where the app looks for Redis: a port that accepts each connection and ends it at once (reading
 * what the client sends, so that it always sees the same end: "Socket closed unexpectedly").
 * @type {net.Server}
 */
let redis;
let redisAttempts = 0;

beforeAll(async () => {
  redis = net.createServer((socket) => {
    redisAttempts++;
    socket.on("error", () => {});
    socket.resume().end();
  });
  await new Promise((resolve) => redis.listen(0, "127.0.0.1", () => resolve(undefined)));
  app = await spawnServer({
    REDIS_HOST: "127.0.0.1",
    REDIS_PORT: String(/** @type {net.AddressInfo} */ (redis.address()).port),
    REDIS_PASSWORD: PASSWORD,
  });
}, 10000);

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => redis?.close(() => resolve(undefined)));
});

/** The next ordinary request still gets its answer, and the process is still there. */
async function expectStillAnswering(server = app) {
  const reply = await request(server.port);
  expect({ status: reply.status, body: reply.body }).toEqual({
    status: 503,
    body: "redis is not connected\n",
  });
  expect(server.alive()).toBe(true);
}

describe("with Redis unreachable", () => {
  // "At once": the answer comes from the not-connected branch, never from waiting on Redis (that
  // answer would say "redis did not answer within 800 ms").
  test("GET / answers 503 at once, ten times in a row, and the process stays up", async () => {
    for (let i = 0; i < 10; i++) {
      const reply = await request(app.port);
      expect(reply.status).toBe(503);
      expect(reply.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(reply.body).toBe("redis is not connected\n");
    }
    expect(app.alive()).toBe(true);
  });

  test("/healthz answers 503", async () => {
    const reply = await request(app.port, { path: "/healthz", timeoutMs: 1000 });
    expect(reply.status).toBe(503);
    expect(reply.body).toBe("redis is not connected\n");
  });

  test("HEAD / answers 503 with no body", async () => {
    const reply = await request(app.port, { method: "HEAD", timeoutMs: 1000 });
    expect(reply.status).toBe(503);
    expect(reply.body).toBe("");
  });

  test("every answer names the replica in X-Served-By", async () => {
    const reply = await request(app.port, { path: "/anything" });
    expect(reply.headers["x-served-by"]).toBe(os.hostname());
  });
});

describe("methods", () => {
  test.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"])("%s answers 405", async (method) => {
    const reply = await request(app.port, { method, path: "/some/path" });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe("GET, HEAD");
    expect(reply.body).toBe("only GET and HEAD are allowed\n");
  });

  test("POST /healthz answers 405 too", async () => {
    const reply = await request(app.port, { method: "POST", path: "/healthz" });
    expect(reply.status).toBe(405);
  });

  // Node's HTTP parser only knows the registered methods; anything else never reaches the app.
  test("an unknown method (FOO) is refused by Node's parser with 400", async () => {
    const { response } = await rawExchange(app.port, "FOO / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    await expectStillAnswering();
  });

  test("CONNECT is dropped without an answer", async () => {
    const { response, closedByServer } = await rawExchange(
      app.port,
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    );
    expect(closedByServer).toBe(true);
    expect(response).toBe("");
    await expectStillAnswering();
  });
});

describe("hostile requests", () => {
  test("a 10 KB path is answered like any page and never echoed", async () => {
    const longPath = `/${"a".repeat(10 * 1024)}`;
    const reply = await request(app.port, { path: longPath });
    expect(reply.status).toBe(503);
    expect(reply.body).not.toContain("aaaa");
    await expectStillAnswering();
  });

  test("a 20 KB path (past Node's 16 KB header limit) gets 431", async () => {
    const { response } = await rawExchange(
      app.port,
      `GET /${"a".repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    await expectStillAnswering();
  });

  test.each([
    { name: "a header line without a colon", raw: "GET / HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n" },
    { name: "a non-numeric Content-Length", raw: "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n" },
    {
      name: "both Content-Length and Transfer-Encoding",
      raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    },
    { name: "binary garbage", raw: "\u0000\u0001\u0002garbage\r\n\r\n" },
    { name: "a bad HTTP version", raw: "GET / HTTP/9.9.9\r\n\r\n" },
  ])("$name gets 400", async ({ raw }) => {
    const { response } = await rawExchange(app.port, raw);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    await expectStillAnswering();
  });

  test(
    "slow clients (half a header, or nothing at all) are cut off with 408 while others are served",
    async () => {
      // Its own process: the timeouts are set as it starts.
      const own = await spawnServer({
        REDIS_HOST: "127.0.0.1",
        REDIS_PORT: String(/** @type {net.AddressInfo} */ (redis.address()).port),
        REDIS_PASSWORD: PASSWORD,
      });
      try {
        const cutOffBy = HEADERS_TIMEOUT_MS + CONNECTIONS_CHECK_MS + 1500;
        const halfHeader = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        const stalled = [
          ...Array.from({ length: 10 }, () => rawExchange(own.port, halfHeader, { timeoutMs: cutOffBy })),
          ...Array.from({ length: 10 }, () => rawExchange(own.port, "", { timeoutMs: cutOffBy })),
        ];
        // While they stall, everyone else is answered as usual.
        for (let i = 0; i < 3; i++) await expectStillAnswering(own);
        for (const { response, closedByServer, ms } of await Promise.all(stalled)) {
          expect(closedByServer).toBe(true);
          expect(response).toMatch(/^HTTP\/1\.1 408 /);
          // Cut off by the headers timeout, not before it.
          expect(ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
        }
        await expectStillAnswering(own);
      } finally {
        await own.stop();
      }
    },
    HEADERS_TIMEOUT_MS + 10000,
  );
});

describe("logging", () => {
  test("one start line, one line per Redis state change, nothing per request or retry, never the password", async () => {
    const attempts = redisAttempts;
    for (let i = 0; i < 3; i++) await expectStillAnswering();
    // Three more failed connection attempts, each for the same reason as the first.
    await within(
      new Promise((resolve) => {
        const poll = () => (redisAttempts >= attempts + 3 ? resolve(undefined) : setTimeout(poll, 10));
        poll();
      }),
      NOT_STUCK_MS,
      "three more connection attempts",
    );
    const lines = app.output().trimEnd().split("\n");
    const where = `127\\.0\\.0\\.1:${/** @type {net.AddressInfo} */ (redis.address()).port}`;
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^listening on port ${app.port}; redis at ${where}$`)),
      expect.stringMatching(
        new RegExp(`^redis unavailable at ${where} \\(Socket closed unexpectedly\\); retrying$`),
      ),
    ]);
    expect(app.output()).not.toContain(PASSWORD);
  });
});
