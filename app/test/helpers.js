// @ts-check
// Test helpers: start the app as a child process and talk to it over HTTP or raw TCP, every wait
// bounded by a deadline.
const { spawn } = require("node:child_process");
const http = require("node:http");
const net = require("node:net");
const path = require("node:path");

const SERVER_JS = path.join(__dirname, "..", "server.js");
const HEALTHCHECK_JS = path.join(__dirname, "..", "healthcheck.js");

/**
 * Rejects if `promise` has not settled within `ms`.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what named in the error
 * @returns {Promise<T>}
 */
function within(promise, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const deadline = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * A port on 127.0.0.1 that nothing listens on: bound to a free port, then released.
 * @returns {Promise<number>}
 */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {net.AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return address.port;
}

/**
 * @typedef {object} Exit
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 */

/**
 * @typedef {object} RunningServer
 * @property {import("node:child_process").ChildProcess} child
 * @property {number} port the HTTP port it listens on
 * @property {() => string} output everything it printed so far, stdout then stderr
 * @property {() => boolean} alive
 * @property {Promise<Exit>} exited
 * @property {() => Promise<void>} stop SIGKILL if still running (test cleanup)
 */

/**
 * Runs `node app/server.js` with PORT=0 and `env`, and waits (bounded) for its "listening" line.
 * @param {Record<string, string>} env
 * @returns {Promise<RunningServer>}
 */
async function spawnServer(env) {
  const child = spawn(process.execPath, [SERVER_JS], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  /** @type {Promise<Exit>} */
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const listening = new Promise((resolve, reject) => {
    const onData = () => {
      const match = /listening on port (\d+)/.exec(stdout);
      if (match) {
        child.stdout.off("data", onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    exited.then(({ code }) =>
      reject(new Error(`server exited (${code}) before listening:\n${stdout}${stderr}`)),
    );
  });
  const port = await within(listening, 5000, "server start");
  return {
    child,
    port,
    output: () => stdout + stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await within(exited, 5000, "server kill");
    },
  };
}

/**
 * @typedef {object} Reply
 * @property {number} status
 * @property {http.IncomingHttpHeaders} headers
 * @property {string} body
 */

/**
 * One HTTP request on a fresh connection.
 * @param {number} port
 * @param {{ method?: string, path?: string, headers?: http.OutgoingHttpHeaders, timeoutMs?: number }} [options]
 * @returns {Promise<Reply>}
 */
function request(port, { method = "GET", path: urlPath = "/", headers = {}, timeoutMs = 3000 } = {}) {
  /** @type {http.ClientRequest | undefined} */
  let req;
  /** @type {Promise<Reply>} */
  const reply = new Promise((resolve, reject) => {
    req = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  return within(reply, timeoutMs, `${method} ${urlPath.slice(0, 40)}`).finally(() => req?.destroy());
}

/**
 * Writes `payload` on a raw TCP connection and collects what comes back until the server closes
 * the connection or `timeoutMs` passes (then the client closes it).
 * @param {number} port
 * @param {string} payload
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<{ response: string, closedByServer: boolean, ms: number }>}
 */
function rawExchange(port, payload, { timeoutMs = 3000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    let response = "";
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (response += chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ response, closedByServer, ms: Date.now() - started });
    });
    if (payload) socket.write(payload);
  });
}

/**
 * How long a step may take before the test calls it stuck. Far above the app's own deadlines (800 ms
 * for Redis, 500 ms of shutdown grace): these tests prove that an answer or an exit comes by the
 * app's own doing, not how fast; speed is the bench's to measure, and a loaded machine is slow.
 */
const NOT_STUCK_MS = 5000;

module.exports = {
  NOT_STUCK_MS,
  SERVER_JS,
  HEALTHCHECK_JS,
  within,
  closedPort,
  spawnServer,
  request,
  rawExchange,
};
