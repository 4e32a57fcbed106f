// @ts-check
// The Redis connection: keeps retrying forever with a short, capped backoff, fails commands fast
// while it is down, and logs only when its state changes.
const { createClient } = require("redis");

/** @typedef {ReturnType<typeof createClient>} RedisClient */

/** One connection attempt may take this long (the default is 5 s) before it counts as failed. */
const CONNECT_TIMEOUT_MS = 1000;
/** Backoff between attempts: 100, 200, 400, 800 ms, then 1 s for as long as Redis stays away. */
const RECONNECT_BASE_MS = 100;
const RECONNECT_CAP_MS = 1000;
/**
 * A Redis that stops answering but keeps the connection open (paused container, frozen host): each
 * request still gets its 503 from the deadline in server.js, and once the socket has been silent for
 * 3 s the client drops it and reconnects. The PING every second keeps a healthy idle connection from
 * ever looking silent.
 */
const PING_INTERVAL_MS = 1000;
const SOCKET_TIMEOUT_MS = 3000;

/**
 * How long to wait before reconnect attempt number `retries` (0 for the first).
 * @param {number} retries
 * @returns {number} milliseconds
 */
function reconnectDelay(retries) {
  return Math.min(RECONNECT_BASE_MS * 2 ** retries, RECONNECT_CAP_MS);
}

/**
 * A short reason for a connection failure; never includes the options (so never the password).
 * @param {unknown} err
 * @returns {string}
 */
function describeError(err) {
  if (err instanceof Error) {
    // Node's AggregateError (one failure per resolved address) has an empty message but a code.
    const code = /** @type {{ code?: unknown }} */ (err).code;
    return err.message || (typeof code === "string" ? code : err.name);
  }
  return String(err);
}

/**
 * Creates the client and starts connecting in the background; it never gives up. Commands sent while
 * it is not connected fail at once (`disableOfflineQueue`) instead of waiting for a reconnect.
 * @param {{ host: string, port: number, password?: string, log: (line: string) => void }} options
 * @returns {RedisClient}
 */
function connectRedis({ host, port, password, log }) {
  const client = createClient({
    socket: {
      host,
      port,
      connectTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      reconnectStrategy: reconnectDelay,
    },
    password: password || undefined,
    disableOfflineQueue: true,
    pingInterval: PING_INTERVAL_MS,
    // node-redis 5.9 ignores every failure of its CLIENT SETINFO handshake, even the connection
    // dropping or timing out mid-handshake, and then reports "ready" on a dead socket that it never
    // replaces. Without that handshake a dropped connection always takes the reconnect path.
    disableClientInfo: true,
  });
  const where = `${host}:${port}`;
  // Logged once per change: connected, lost, or failing for a new reason; not once per retry.
  // Connecting forgets the last failure, so losing the connection is always logged.
  /** @type {string | undefined} */
  let lastFailure;
  client.on("ready", () => {
    lastFailure = undefined;
    log(`redis connected at ${where}`);
  });
  // Without an `error` listener node-redis would crash the process on the first failure.
  client.on("error", (err) => {
    const reason = describeError(err);
    if (reason !== lastFailure) log(`redis unavailable at ${where} (${reason}); retrying`);
    lastFailure = reason;
  });
  // connect() settles only once Redis is reached (or the client is destroyed); failures along the
  // way arrive as `error` events above.
  client.connect().catch(() => {});
  return client;
}

module.exports = {
  CONNECT_TIMEOUT_MS,
  RECONNECT_CAP_MS,
  PING_INTERVAL_MS,
  SOCKET_TIMEOUT_MS,
  reconnectDelay,
  describeError,
  connectRedis,
};
