// @ts-check
// The swarm target's gateway (appPublish=gateway): a TCP forwarder that stands in for the routing
// mesh on engines whose kernel has no IPVS, where a port published in ingress mode never answers.
// It runs as a one-replica service publishing appPort in host mode, on the overlay network, and
// hands each incoming connection to the next app task, round robin, as the mesh does. The tasks come
// from Docker's DNS (`tasks.<service>` lists the healthy running tasks), looked up again for every
// connection, so a task leaves the rotation as soon as swarm takes it out of DNS, before it is
// stopped. A task that refuses the connection is skipped for the next one.
//
// Environment: UPSTREAM_HOST (required, e.g. tasks.counter-app), UPSTREAM_PORT (3000),
// LISTEN_PORT (3000), CONNECT_TIMEOUT_MS (2000). Only Node.js itself is needed.
const dns = require("node:dns");
const net = require("node:net");

/**
 * @typedef {object} GatewayConfig
 * @property {number} listenPort 0 picks a free port
 * @property {string} upstreamHost
 * @property {number} upstreamPort
 * @property {number} connectTimeoutMs
 */

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} key
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 * @returns {number}
 */
function integerFromEnv(env, key, fallback, min, max) {
  const value = env[key];
  if (value === undefined || value === "") return fallback;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max))
    throw new Error(`${key} must be a whole number ${min}-${max}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {GatewayConfig}
 */
function configFromEnv(env) {
  const upstreamHost = env.UPSTREAM_HOST;
  if (!upstreamHost) throw new Error("UPSTREAM_HOST is required (e.g. tasks.counter-app)");
  return {
    listenPort: integerFromEnv(env, "LISTEN_PORT", 3000, 0, 65535),
    upstreamHost,
    upstreamPort: integerFromEnv(env, "UPSTREAM_PORT", 3000, 1, 65535),
    connectTimeoutMs: integerFromEnv(env, "CONNECT_TIMEOUT_MS", 2000, 1, 600000),
  };
}

/**
 * Round robin over address lists that may change between calls: each call returns the addresses
 * (sorted, so the rotation does not depend on DNS order) starting one further than the last time.
 * @returns {(addresses: string[]) => string[]}
 */
function roundRobin() {
  let turn = 0;
  return (addresses) => {
    const sorted = [...new Set(addresses)].sort();
    if (sorted.length === 0) return [];
    const start = turn++ % sorted.length;
    return [...sorted.slice(start), ...sorted.slice(0, start)];
  };
}

/**
 * Every IPv4 address of `host`.
 * @param {string} host
 * @returns {Promise<string[]>}
 */
async function lookupAll(host) {
  const records = await dns.promises.lookup(host, { all: true, family: 4 });
  return records.map((r) => r.address);
}

/**
 * Connects to the first address that accepts within the timeout, trying them in order.
 * @param {string[]} addresses
 * @param {number} port
 * @param {number} timeoutMs
 * @returns {Promise<{ socket: net.Socket, address: string } | { failures: string[] }>}
 */
async function connectFirst(addresses, port, timeoutMs) {
  const failures = [];
  for (const address of addresses) {
    const outcome = await new Promise((resolve) => {
      const socket = net.connect({ host: address, port, allowHalfOpen: true });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(`${address}: no connection within ${timeoutMs} ms`);
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        resolve(`${address}: ${err.message}`);
      });
    });
    if (typeof outcome !== "string") return { socket: outcome, address };
    failures.push(outcome);
  }
  return { failures };
}

/**
 * Starts the gateway. `resolve` and `log` are replaceable for tests.
 * @param {GatewayConfig & { resolve?: (host: string) => Promise<string[]>, log?: (line: string) => void }} options
 * @returns {{ server: net.Server, listening: Promise<number>, close: () => Promise<void> }}
 */
function startGateway({
  listenPort,
  upstreamHost,
  upstreamPort,
  connectTimeoutMs,
  resolve = lookupAll,
  log = console.log,
}) {
  const next = roundRobin();
  /** @type {Set<net.Socket>} */
  const open = new Set();
  /** @type {string | undefined} */
  let lastProblem;
  /** @param {string} problem */
  const report = (problem) => {
    if (problem !== lastProblem) log(problem);
    lastProblem = problem;
  };

  /** @param {net.Socket} client */
  async function forward(client) {
    client.pause();
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    /** @type {string[]} */
    let addresses;
    try {
      addresses = next(await resolve(upstreamHost));
    } catch (err) {
      report(`cannot resolve ${upstreamHost}: ${err instanceof Error ? err.message : err}`);
      client.destroy();
      return;
    }
    if (addresses.length === 0) {
      report(`${upstreamHost} has no addresses`);
      client.destroy();
      return;
    }
    const connected = await connectFirst(addresses, upstreamPort, connectTimeoutMs);
    if ("failures" in connected) {
      report(`no task of ${upstreamHost} accepted a connection: ${connected.failures.join("; ")}`);
      client.destroy();
      return;
    }
    lastProblem = undefined;
    const upstream = connected.socket;
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    open.add(upstream);
    upstream.on("close", () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
    // pipe() ends the other side when one side ends: a half-close passes through.
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    forward(client).catch((err) => {
      report(`forwarding failed: ${err instanceof Error ? err.message : err}`);
      client.destroy();
    });
  });

  /** @type {Promise<number>} */
  const listening = new Promise((resolveListening, reject) => {
    server.once("error", reject);
    server.listen(listenPort, () => {
      server.off("error", reject);
      const address = server.address();
      resolveListening(typeof address === "object" && address ? address.port : listenPort);
    });
  });

  /** Stops accepting, and drops whatever is still open after a short grace. */
  function close() {
    return new Promise((resolveClose) => {
      server.close(() => resolveClose(undefined));
      setTimeout(() => {
        for (const socket of open) socket.destroy();
      }, 500).unref();
    }).then(() => undefined);
  }

  return { server, listening, close };
}

function main() {
  /** @type {GatewayConfig} */
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
    return;
  }
  const gateway = startGateway(config);
  gateway.listening.then(
    (port) =>
      console.log(`listening on port ${port}; forwarding to ${config.upstreamHost}:${config.upstreamPort}`),
    (err) => {
      console.error(
        `cannot listen on port ${config.listenPort}: ${err instanceof Error ? err.message : err}`,
      );
      process.exit(1);
    },
  );
  /** @param {NodeJS.Signals} signal */
  const stop = (signal) => {
    console.log(`${signal} received; shutting down`);
    setTimeout(() => process.exit(0), 1000).unref();
    gateway.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (require.main === module) main();

module.exports = { configFromEnv, roundRobin, connectFirst, startGateway };
