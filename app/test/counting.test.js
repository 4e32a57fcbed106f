// @ts-check
// The app with a Redis that answers: a stand-in speaking Redis's protocol on 127.0.0.1
// (redis-stand-in.js). The page the original app served, the health check, Redis refusing a command
// or going silent, the password, and the connection's log lines. In-process through createApp, and
// once as the process itself; what the process does without Redis is server.test.js's and
// shutdown.test.js's.
const { afterEach, describe, expect, test } = require("@jest/globals");
const http = require("node:http");
const os = require("node:os");
const { createApp } = require("../server");
const { connectRedis } = require("../redis-client");
const { NOT_STUCK_MS, closedPort, request, spawnServer, within } = require("./helpers");
const { startRedisStandIn } = require("./redis-stand-in");

// The original app's page (katacoda/redis-node-docker server.js), written out.
const PAGE_TOP = "This page was generated after talking to redis.\n\nApplication Build: 1\n\n";
/** @param {number} total @param {string} ip @param {number} count */
const page = (total, ip, count) => `${PAGE_TOP}Total requests: ${total}\n\nIP count: \n    ${ip}: ${count}\n`;

/** What still runs after a test: apps, stand-ins, clients. */
const running = /** @type {{ close: () => Promise<unknown> | void }[]} */ ([]);
afterEach(async () => {
  await Promise.all(running.splice(0).map((thing) => thing.close()));
});

/** @param {{ password?: string }} [options] */
async function standIn(options) {
  const redis = await startRedisStandIn(options);
  running.push(redis);
  return redis;
}

/**
 * The app on a free port, talking to `redis`; resolves once it listens.
 * @param {{ port: number }} redis
 * @param {{ password?: string }} [options]
 */
async function startApp(redis, { password } = {}) {
  /** @type {string[]} */
  const lines = [];
  let onLine = () => {};
  const app = createApp({
    port: 0,
    redisHost: "127.0.0.1",
    redisPort: redis.port,
    password,
    log: (line) => {
      lines.push(line);
      onLine();
    },
  });
  running.push(app);
  const port = await within(app.listening, NOT_STUCK_MS, "listening");
  /**
   * Resolves once `count` lines match `pattern` (bounded).
   * @param {RegExp} pattern
   */
  const logged = (pattern, count = 1) =>
    within(
      new Promise((resolve) => {
        onLine = () => {
          if (lines.filter((line) => pattern.test(line)).length >= count) resolve(undefined);
        };
        onLine();
      }),
      NOT_STUCK_MS,
      `${count} log line(s) ${pattern}`,
    );
  return { app, port, lines, logged };
}

/** The address the app counted a request from, as it sent it to Redis (HINCRBY ip <address> 1). */
function countedAddress(/** @type {string[][]} */ commands) {
  const hincrby = commands.find(([name]) => name === "HINCRBY");
  expect(hincrby).toBeDefined();
  return /** @type {string[]} */ (hincrby)[2];
}

describe("with Redis answering", () => {
  test("GET / counts like the original app: its commands on its keys, its page, its headers", async () => {
    const redis = await standIn();
    const { port, logged } = await startApp(redis);
    await logged(new RegExp(`^redis connected at 127\\.0\\.0\\.1:${redis.port}$`));

    const first = await request(port);
    const ip = countedAddress(redis.commands);
    expect(ip).toMatch(/^(?:::ffff:)?127\.0\.0\.1$/); // loopback, as Node reports it
    expect(first.status).toBe(200);
    expect(first.body).toBe(page(1, ip, 1));
    expect(first.headers).toMatchObject({
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(Buffer.byteLength(page(1, ip, 1))),
      "cache-control": "no-store",
      "x-served-by": os.hostname(),
    });
    expect(redis.commands.filter(([name]) => name !== "PING")).toEqual([
      ["MULTI"],
      ["INCR", "requests"],
      ["HINCRBY", "ip", ip, "1"],
      ["HGETALL", "ip"],
      ["EXEC"],
    ]);

    expect((await request(port, { path: "/any/path?and=query" })).body).toBe(page(2, ip, 2));
    const head = await request(port, { method: "HEAD" });
    expect({ status: head.status, body: head.body }).toEqual({ status: 200, body: "" });
    expect((await request(port)).body).toBe(page(4, ip, 4));
  });

  test("/healthz is 200 while Redis answers PING, with or without a query, and counts nothing", async () => {
    const redis = await standIn();
    const { port, logged } = await startApp(redis);
    await logged(/^redis connected/);
    for (const path of ["/healthz", "/healthz?from=docker"]) {
      const reply = await request(port, { path });
      expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: "ok" });
    }
    expect(redis.commands.map(([name]) => name)).not.toContain("INCR");
    // "/healthz/" is another path: the counter page.
    expect((await request(port, { path: "/healthz/" })).body).toMatch(/^This page was generated/);
  });

  test("a Redis that stops answering: every request gets its 503 from the app's deadline", async () => {
    const redis = await standIn();
    const { port, logged } = await startApp(redis);
    await logged(/^redis connected/);
    redis.answer(false);
    for (const path of ["/", "/healthz"]) {
      const reply = await request(port, { path, timeoutMs: NOT_STUCK_MS });
      expect({ status: reply.status, body: reply.body }).toEqual({
        status: 503,
        body: "redis did not answer within 800 ms\n",
      });
    }
  });

  test("a command Redis refuses: 503, logged once per distinct reason, and again after a success", async () => {
    const redis = await standIn();
    const { port, lines, logged } = await startApp(redis);
    await logged(/^redis connected/);
    const refusals = () => lines.filter((line) => line.startsWith("redis command failed: "));

    redis.failWith(
      "INCR",
      "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk",
    );
    for (let i = 0; i < 2; i++) {
      const reply = await request(port);
      expect({ status: reply.status, body: reply.body }).toEqual({
        status: 503,
        body: "redis command failed\n",
      });
    }
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatch(/EXECABORT|MISCONF/);

    redis.failWith("INCR", undefined);
    expect((await request(port)).status).toBe(200);
    redis.failWith("INCR", "MISCONF again");
    expect((await request(port)).status).toBe(503);
    expect(refusals()).toHaveLength(2);
  });

  test("a failure of the app's own while answering is a 500, and the next request is served", async () => {
    const redis = await standIn();
    /** @type {string[]} */
    const lines = [];
    const app = createApp({
      port: 0,
      redisHost: "127.0.0.1",
      redisPort: redis.port,
      // A log that breaks (say, its stream is gone) as the app logs a refused command.
      log: (line) => {
        if (line.startsWith("redis command failed")) throw new Error("the log is broken");
        lines.push(line);
      },
    });
    running.push(app);
    const port = await within(app.listening, NOT_STUCK_MS, "listening");
    await within(
      new Promise((resolve) => {
        const poll = () =>
          lines.some((line) => /^redis connected/.test(line)) ? resolve(undefined) : setTimeout(poll, 10);
        poll();
      }),
      NOT_STUCK_MS,
      "redis connected",
    );
    redis.failWith("INCR", "MISCONF cannot persist");
    const failed = await request(port);
    expect({ status: failed.status, body: failed.body }).toEqual({ status: 500, body: "internal error\n" });
    expect(failed.headers["content-type"]).toBe("text/plain; charset=utf-8");
    redis.failWith("INCR", undefined);
    expect((await request(port)).status).toBe(200);
  });

  test("answers keep the connection open, until the app is closing: then they say it ends", async () => {
    const redis = await standIn();
    const { app, port, logged } = await startApp(redis);
    await logged(/^redis connected/);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    running.push({ close: () => agent.destroy() });
    /** @returns {Promise<http.IncomingMessage>} */
    const get = () =>
      within(
        new Promise((resolve, reject) => {
          http
            .get({ host: "127.0.0.1", port, path: "/", agent }, (res) =>
              res.resume().on("end", () => resolve(res)),
            )
            .on("error", reject);
        }),
        NOT_STUCK_MS,
        "GET /",
      );
    expect((await get()).headers.connection).toBe("keep-alive");

    // A request in flight when close() is called: Redis answers it within the grace period.
    redis.delay(200);
    const inFlight = get();
    const execs = () => redis.commands.filter(([name]) => name === "EXEC").length;
    await within(
      new Promise((resolve) => {
        const poll = () => (execs() === 2 ? resolve(undefined) : setTimeout(poll, 5));
        poll();
      }),
      NOT_STUCK_MS,
      "the second request reaching Redis",
    );
    const closing = app.close();
    const last = await inFlight;
    expect(last.statusCode).toBe(200);
    expect(last.headers.connection).toBe("close");
    await within(closing, NOT_STUCK_MS, "close");
  });

  test("close() drops the connection to Redis and stops the client", async () => {
    const redis = await standIn();
    const { app, logged } = await startApp(redis);
    await logged(/^redis connected/);
    expect(redis.connections()).toBe(1);
    await within(app.close(), NOT_STUCK_MS, "close");
    await within(
      new Promise((resolve) => {
        const poll = () => (redis.connections() === 0 ? resolve(undefined) : setTimeout(poll, 10));
        poll();
      }),
      NOT_STUCK_MS,
      "the connection to Redis closing",
    );
  });

  test("losing Redis and getting it back is logged once each way", async () => {
    const redis = await standIn();
    const { port, lines, logged } = await startApp(redis);
    await logged(/^redis connected/);
    redis.drop();
    await logged(/^redis connected/, 2);
    const where = `127.0.0.1:${redis.port}`;
    expect(lines).toEqual([
      `redis connected at ${where}`,
      expect.stringMatching(
        new RegExp(`^redis unavailable at ${where.replaceAll(".", "\\.")} \\(.+\\); retrying$`),
      ),
      `redis connected at ${where}`,
    ]);
    expect((await request(port)).status).toBe(200);
  });
});

describe("the process (node server.js) with Redis answering", () => {
  test("connects, counts on the original's keys, and answers /healthz", async () => {
    const redis = await standIn();
    const app = await spawnServer({ REDIS_HOST: "127.0.0.1", REDIS_PORT: String(redis.port) });
    running.push({ close: () => app.stop() });
    await within(
      new Promise((resolve) => {
        const poll = () =>
          /redis connected at /.test(app.output()) ? resolve(undefined) : setTimeout(poll, 10);
        poll();
      }),
      NOT_STUCK_MS,
      "redis connected",
    );
    const health = await request(app.port, { path: "/healthz" });
    expect({ status: health.status, body: health.body }).toEqual({ status: 200, body: "ok" });
    const counted = await request(app.port);
    const ip = countedAddress(redis.commands);
    expect(counted.body).toBe(page(1, ip, 1));
    expect(redis.commands.filter(([name]) => name !== "PING")).toEqual([
      ["MULTI"],
      ["INCR", "requests"],
      ["HINCRBY", "ip", ip, "1"],
      ["HGETALL", "ip"],
      ["EXEC"],
    ]);
  });
});

describe("with a password", () => {
  const PASSWORD = "stand-in-password-0123";

  test("AUTH is the whole handshake, then the app counts; the password is never logged", async () => {
    const redis = await standIn({ password: PASSWORD });
    const { port, lines, logged } = await startApp(redis, { password: PASSWORD });
    await logged(/^redis connected/);
    expect(redis.commands[0]).toEqual(["AUTH", PASSWORD]);
    expect(redis.commands.map(([name]) => name.toUpperCase())).not.toContain("CLIENT");
    expect((await request(port)).status).toBe(200);
    expect(lines.join("\n")).not.toContain(PASSWORD);
  });

  test("the wrong password: never connected, 503, and the log says why once without the password", async () => {
    const redis = await standIn({ password: PASSWORD });
    const { port, lines, logged } = await startApp(redis, { password: "not-the-password-0123" });
    await logged(/^redis unavailable .*WRONGPASS/);
    // Retries fail for the same reason: wait for more attempts, still one line.
    await within(
      new Promise((resolve) => {
        const poll = () => (redis.connectionsSeen() >= 3 ? resolve(undefined) : setTimeout(poll, 10));
        poll();
      }),
      NOT_STUCK_MS,
      "three connection attempts",
    );
    const reply = await request(port);
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 503,
      body: "redis is not connected\n",
    });
    expect(lines).toEqual([expect.stringMatching(/^redis unavailable at .* \(WRONGPASS .*\); retrying$/)]);
    expect(lines.join("\n")).not.toContain("not-the-password");
  });
});

describe("connectRedis", () => {
  test("no password: no AUTH", async () => {
    const redis = await standIn();
    const { logged } = await startApp(redis);
    await logged(/^redis connected/);
    expect(redis.commands.map(([name]) => name.toUpperCase())).not.toContain("AUTH");
  });

  test("a command while Redis is away fails at once instead of waiting for a connection", async () => {
    const client = connectRedis({ host: "127.0.0.1", port: await closedPort(), log: () => {} });
    running.push({ close: () => client.destroy() });
    await expect(within(client.ping(), NOT_STUCK_MS, "PING while offline")).rejects.toThrow(
      "The client is offline",
    );
  });
});
