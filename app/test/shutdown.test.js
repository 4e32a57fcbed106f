// @ts-check
// SIGTERM/SIGINT: stop accepting, drop Redis, exit 0 by itself (not killed), even with clients
// holding connections open. Also the same through the exported API, in-process.
const { describe, expect, jest: jestObject, test } = require("@jest/globals");
const http = require("node:http");
const net = require("node:net");
const realTimers = require("node:timers");
const { createApp } = require("../server");
const { NOT_STUCK_MS, closedPort, request, spawnServer, within } = require("./helpers");

/** @returns {Promise<import("./helpers").RunningServer>} */
async function startWithoutRedis() {
  return spawnServer({ REDIS_HOST: "127.0.0.1", REDIS_PORT: String(await closedPort()) });
}

/**
 * Sends `signal` and waits (bounded) for the exit.
 * @param {import("./helpers").RunningServer} app
 * @param {NodeJS.Signals} signal
 */
function stopWith(app, signal) {
  app.child.kill(signal);
  return within(app.exited, NOT_STUCK_MS, `exit after ${signal}`);
}

/**
 * Opens a keep-alive connection that has been answered once and stays open.
 * @param {number} port
 * @returns {Promise<http.Agent>}
 */
async function idleKeepAliveConnection(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await within(
    new Promise((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, path: "/", agent }, (res) => res.resume().on("end", resolve))
        .on("error", reject);
    }),
    3000,
    "keep-alive request",
  );
  return agent;
}

/**
 * A raw connection to the app that has sent `payload`.
 * @param {number} port
 * @param {string} payload
 * @returns {Promise<net.Socket>}
 */
async function openWith(port, payload) {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await within(new Promise((resolve) => socket.once("connect", resolve)), 3000, "raw connect");
  socket.write(payload);
  return socket;
}

describe("the process", () => {
  test.each(/** @type {NodeJS.Signals[]} */ (["SIGTERM", "SIGINT"]))(
    "%s: exits 0 on its own (not killed)",
    async (signal) => {
      const app = await startWithoutRedis();
      try {
        const { code, signal: killedBy } = await stopWith(app, signal);
        expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
        expect(app.output()).toContain(`${signal} received; shutting down`);
        // Closed, then exited: not by the timer that ends a shutdown that takes too long.
        expect(app.output()).not.toContain("still closing");
      } finally {
        await app.stop();
      }
    },
    15000,
  );

  test("SIGTERM with clients holding connections open (idle keep-alive, half-sent request) still exits 0 on its own", async () => {
    const app = await startWithoutRedis();
    const agent = await idleKeepAliveConnection(app.port);
    const stalled = net.connect(app.port, "127.0.0.1");
    stalled.on("error", () => {});
    try {
      await within(new Promise((resolve) => stalled.once("connect", resolve)), 3000, "raw connect");
      stalled.write("GET / HTTP/1.1\r\nHost: x\r\n");
      const { code, signal: killedBy } = await stopWith(app, "SIGTERM");
      expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
      // The half-sent request's connection is cut after the grace period, before that timer.
      expect(app.output()).not.toContain("still closing");
    } finally {
      agent.destroy();
      stalled.destroy();
      await app.stop();
    }
  }, 15000);

  test("a second signal while shutting down changes nothing", async () => {
    const app = await startWithoutRedis();
    // A half-sent request keeps the shutdown in its grace period while the second signal comes.
    const halfSent = await openWith(app.port, "GET / HTTP/1.1\r\nHost: x\r\n");
    try {
      app.child.kill("SIGTERM");
      await within(
        new Promise((resolve) => {
          const poll = () =>
            app.output().includes("SIGTERM received") ? resolve(undefined) : setTimeout(poll, 5);
          poll();
        }),
        3000,
        "the first signal handled",
      );
      app.child.kill("SIGINT");
      const exit = await within(app.exited, NOT_STUCK_MS, "exit");
      expect(exit).toEqual({ code: 0, signal: null });
      // One shutdown: the first signal's.
      expect(app.output().match(/SIG\w+ received; shutting down/g)).toEqual([
        "SIGTERM received; shutting down",
      ]);
    } finally {
      halfSent.destroy();
      await app.stop();
    }
  }, 15000);

  test("a bad setting stops it at once with exit 1 and the key's name", async () => {
    await expect(spawnServer({ REDIS_PORT: "not-a-port" })).rejects.toThrow(
      /exited \(1\)[\s\S]*REDIS_PORT must be/,
    );
  }, 15000);

  test("a port already in use stops it with exit 1", async () => {
    const holder = net.createServer();
    await new Promise((resolve) => holder.listen(0, "127.0.0.1", () => resolve(undefined)));
    const { port } = /** @type {net.AddressInfo} */ (holder.address());
    try {
      await expect(spawnServer({ PORT: String(port), REDIS_HOST: "127.0.0.1" })).rejects.toThrow(
        /exited \(1\)[\s\S]*cannot listen on port/,
      );
    } finally {
      holder.close();
    }
  }, 15000);
});

describe("createApp", () => {
  test("listens, answers 503 without Redis, and close() ends everything", async () => {
    /** @type {string[]} */
    const lines = [];
    const app = createApp({
      port: 0,
      redisHost: "127.0.0.1",
      redisPort: await closedPort(),
      log: (line) => lines.push(line),
    });
    const port = await within(app.listening, 3000, "listening");
    expect(port).toBeGreaterThan(0);
    const reply = await request(port);
    expect(reply.status).toBe(503);
    const agent = await idleKeepAliveConnection(port);
    const halfSent = await openWith(port, "GET / HTTP/1.1\r\nHost: x\r\n");
    try {
      // The half-sent request is given its grace period, then cut: close() does not wait for it.
      await within(app.close(), NOT_STUCK_MS, "close");
      expect(app.server.listening).toBe(false);
      await expect(request(port)).rejects.toThrow(/ECONNREFUSED/);
      expect(lines.join("\n")).toMatch(/redis unavailable at 127\.0\.0\.1:\d+/);
    } finally {
      agent.destroy();
      halfSent.destroy();
    }
  });

  test("close() with no request in flight ends once the server has closed, without waiting out the grace period", async () => {
    const app = createApp({ port: 0, redisHost: "127.0.0.1", redisPort: await closedPort(), log: () => {} });
    await within(app.listening, 3000, "listening");
    // From here the app's timers stand still (Node's own I/O and ticks go on): a close() that
    // waited for its grace period would never end. The bound is a real timer.
    jestObject.useFakeTimers({ doNotFake: ["nextTick", "queueMicrotask", "setImmediate", "clearImmediate"] });
    /** @type {NodeJS.Timeout | undefined} */
    let bound;
    try {
      const stuck = new Promise((resolve) => {
        bound = realTimers.setTimeout(resolve, NOT_STUCK_MS, "still closing");
      });
      expect(await Promise.race([app.close().then(() => "closed"), stuck])).toBe("closed");
      expect(app.server.listening).toBe(false);
    } finally {
      realTimers.clearTimeout(bound);
      // Whatever close() still waits for happens now, on the fake clock; then real time again.
      jestObject.runOnlyPendingTimers();
      jestObject.useRealTimers();
      await within(app.close(), NOT_STUCK_MS, "close");
    }
  });

  test("a server error after it listens is logged, not thrown", async () => {
    /** @type {string[]} */
    const lines = [];
    const app = createApp({
      port: 0,
      redisHost: "127.0.0.1",
      redisPort: await closedPort(),
      log: (line) => lines.push(line),
    });
    await within(app.listening, 3000, "listening");
    try {
      app.server.emit("error", new Error("accept EMFILE"));
      expect(lines).toContain("http server error: accept EMFILE");
    } finally {
      await within(app.close(), NOT_STUCK_MS, "close");
    }
  });

  test("listening rejects when the port is taken, and close() still works", async () => {
    const holder = net.createServer();
    await new Promise((resolve) => holder.listen(0, () => resolve(undefined)));
    const { port } = /** @type {net.AddressInfo} */ (holder.address());
    try {
      const app = createApp({ port, redisHost: "127.0.0.1", redisPort: await closedPort(), log: () => {} });
      await expect(app.listening).rejects.toThrow(/EADDRINUSE/);
      await within(app.close(), NOT_STUCK_MS, "close");
    } finally {
      holder.close();
    }
  });
});
