// @ts-check
// The tutorial's example app: an HTTP server that counts its visitors in the Redis container it
// reaches through the `redis` link alias. It keeps answering (503) while Redis is away, recovers on
// its own when Redis is back, and stops cleanly on SIGTERM/SIGINT.
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const { renderBody, recordVisit } = require("./counter");
const { connectRedis } = require("./redis-client");

const HEALTH_PATH = "/healthz";
/** A request gets a 503 if Redis has not answered within this, so every answer comes within 1 s. */
const REDIS_DEADLINE_MS = 800;
/** Slow or stalled clients (slowloris) are cut off with a 408 after this. */
const HEADERS_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 5000;
/** How often Node looks for clients past those timeouts (its default, 30 s, would let them linger). */
const CONNECTIONS_CHECK_MS = 500;
/** On shutdown, requests already being answered get this long to finish. */
const SHUTDOWN_GRACE_MS = 500;
/** The process exits this long after SIGTERM/SIGINT whatever is still open. */
const FORCE_EXIT_MS = 800;

class RedisDeadlineError extends Error {
  /** @param {number} ms */
  constructor(ms) {
    super(`redis did not answer within ${ms} ms`);
    this.name = "RedisDeadlineError";
  }
}

/**
 * @typedef {object} AppConfig
 * @property {number} port HTTP port; 0 picks a free one
 * @property {string} redisHost
 * @property {number} redisPort
 * @property {string} [password] Redis password (AUTH); never logged
 */

/**
 * Reads a port number from the environment.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} key
 * @param {number} fallback used when the variable is unset or empty
 * @param {{ min: number, linkForm: boolean }} rules `linkForm` also accepts `tcp://<ip>:<port>`
 * @returns {number}
 */
function portFromEnv(env, key, fallback, { min, linkForm }) {
  const value = env[key];
  if (value === undefined || value === "") return fallback;
  const match = (linkForm ? /^(?:tcp:\/\/.*:)?(\d{1,5})$/ : /^(\d{1,5})$/).exec(value);
  const port = match ? Number(match[1]) : NaN;
  if (!(port >= min && port <= 65535)) {
    const forms = linkForm ? "a port number or tcp://<host>:<port>" : "a port number";
    throw new Error(`${key} must be ${forms} between ${min} and 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

/**
 * The Redis password: the content of the file REDIS_PASSWORD_FILE names (Docker's `_FILE`
 * convention: a secret as a file, not in the environment, where `docker inspect` shows it; one
 * trailing newline is dropped), else REDIS_PASSWORD, else none.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 */
function passwordFromEnv(env) {
  const file = env.REDIS_PASSWORD_FILE;
  if (file) {
    if (env.REDIS_PASSWORD) throw new Error("set REDIS_PASSWORD_FILE or REDIS_PASSWORD, not both");
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      throw new Error(
        `REDIS_PASSWORD_FILE: cannot read ${file}: ${err instanceof Error ? err.message : err}`,
        {
          cause: err,
        },
      );
    }
    return text.replace(/\r?\n$/, "") || undefined;
  }
  return env.REDIS_PASSWORD || undefined;
}

/**
 * The app's settings from its environment: PORT (3000), REDIS_HOST (`redis`, the link alias),
 * REDIS_PORT (6379), the password (REDIS_PASSWORD_FILE or REDIS_PASSWORD; none). Empty values
 * count as unset.
 * A link aliased `redis` sets REDIS_PORT=tcp://<ip>:6379 in the linked container; the port is
 * taken from that form too (the host still comes from REDIS_HOST, i.e. the alias in /etc/hosts).
 * @param {NodeJS.ProcessEnv} env
 * @returns {AppConfig}
 */
function configFromEnv(env) {
  return {
    port: portFromEnv(env, "PORT", 3000, { min: 0, linkForm: false }),
    redisHost: env.REDIS_HOST || "redis",
    redisPort: portFromEnv(env, "REDIS_PORT", 6379, { min: 1, linkForm: true }),
    password: passwordFromEnv(env),
  };
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T>}
 */
function withDeadline(promise, ms) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const deadline = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new RedisDeadlineError(ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Builds the app and starts it: the HTTP server listens on `port` and the Redis client starts
 * connecting in the background (requests get 503 until it is connected).
 * @param {AppConfig & { log?: (line: string) => void }} options
 * @returns {{ server: http.Server, listening: Promise<number>, close: () => Promise<void> }}
 *   `listening` resolves to the bound port (rejects if it cannot listen); `close` stops accepting,
 *   gives answers in progress {@link SHUTDOWN_GRACE_MS} to finish, then drops every connection and
 *   the Redis client.
 */
function createApp({ port, redisHost, redisPort, password, log = console.log }) {
  const client = connectRedis({ host: redisHost, port: redisPort, password, log });
  const servedBy = os.hostname();
  let shuttingDown = false;

  /**
   * @param {http.ServerResponse} res
   * @param {number} status
   * @param {string} body
   * @param {http.OutgoingHttpHeaders} [headers]
   */
  function send(res, status, body, headers = {}) {
    res.writeHead(status, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
      "Cache-Control": "no-store",
      "X-Served-By": servedBy,
      ...(shuttingDown ? { Connection: "close" } : {}),
      ...headers,
    });
    res.end(body); // Node leaves the body out for HEAD
  }

  /** @type {string | undefined} */
  let lastCommandFailure;
  /**
   * @param {http.ServerResponse} res
   * @param {unknown} err
   */
  function sendRedisFailure(res, err) {
    if (err instanceof RedisDeadlineError) {
      send(res, 503, `${err.message}\n`);
      return;
    }
    // Redis answering with an error while connected (NOAUTH, OOM, WRONGTYPE...) is a problem the
    // connection log never shows, so log it, once per distinct reason.
    const reason = err instanceof Error ? err.message : String(err);
    if (client.isReady && reason !== lastCommandFailure) log(`redis command failed: ${reason}`);
    lastCommandFailure = reason;
    send(res, 503, "redis command failed\n");
  }

  /**
   * Every path but the health check is the counter page, as in the original; HEAD counts like GET.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  async function respond(req, res) {
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "only GET and HEAD are allowed\n", { Allow: "GET, HEAD" });
      return;
    }
    if (!client.isReady) {
      send(res, 503, "redis is not connected\n");
      return;
    }
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path === HEALTH_PATH) {
      try {
        await withDeadline(client.ping(), REDIS_DEADLINE_MS);
      } catch (err) {
        sendRedisFailure(res, err);
        return;
      }
      lastCommandFailure = undefined;
      send(res, 200, "ok");
      return;
    }
    /** @type {Awaited<ReturnType<typeof recordVisit>>} */
    let visit;
    try {
      visit = await withDeadline(
        recordVisit(client, req.socket.remoteAddress ?? "unknown"),
        REDIS_DEADLINE_MS,
      );
    } catch (err) {
      sendRedisFailure(res, err);
      return;
    }
    lastCommandFailure = undefined;
    send(res, 200, renderBody(visit.total, visit.ips));
  }

  const server = http.createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
    },
    (req, res) => {
      respond(req, res).catch(() => {
        if (res.headersSent) res.destroy();
        else send(res, 500, "internal error\n");
      });
    },
  );

  /** @type {Promise<number>} */
  const listening = new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      server.on("error", (err) => log(`http server error: ${err.message}`));
      // A TCP port (never a pipe's path), so the address is an AddressInfo.
      resolve(/** @type {import("node:net").AddressInfo} */ (server.address()).port);
    });
  });

  /** @type {Promise<void> | undefined} */
  let closing;
  function close() {
    closing ??= (async () => {
      shuttingDown = true;
      const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
      server.closeIdleConnections();
      await Promise.race([closed, delay(SHUTDOWN_GRACE_MS)]);
      server.closeAllConnections();
      if (client.isOpen) client.destroy();
    })();
    return closing;
  }

  return { server, listening, close };
}

function main() {
  /** @param {string} line */
  const log = (line) => console.log(line);
  /** @type {AppConfig} */
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
    return;
  }
  const app = createApp({ ...config, log });
  app.listening.then(
    (port) => log(`listening on port ${port}; redis at ${config.redisHost}:${config.redisPort}`),
    (err) => {
      console.error(`cannot listen on port ${config.port}: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );

  let stopping = false;
  /** @param {NodeJS.Signals} signal */
  function stop(signal) {
    if (stopping) return;
    stopping = true;
    log(`${signal} received; shutting down`);
    setTimeout(() => {
      log(`still closing after ${FORCE_EXIT_MS} ms; exiting anyway`);
      process.exit(0);
    }, FORCE_EXIT_MS).unref();
    // The Redis client's retry timer would keep the process alive, so exit explicitly.
    app.close().finally(() => process.exit(0));
  }
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (require.main === module) main();

module.exports = {
  HEALTH_PATH,
  REDIS_DEADLINE_MS,
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  CONNECTIONS_CHECK_MS,
  SHUTDOWN_GRACE_MS,
  FORCE_EXIT_MS,
  configFromEnv,
  createApp,
  renderBody,
};
