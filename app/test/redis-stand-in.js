// @ts-check
// A stand-in for Redis on 127.0.0.1: just enough of the RESP2 protocol (redis.io/docs/reference/
// protocol-spec) for the app's commands (AUTH, PING, MULTI, INCR, HINCRBY, HGETALL, EXEC), with
// Redis's own replies, so that the app's Redis paths run in unit tests. It records every command and
// can be told to stop answering, or to answer a command with an error. Real Redis is the
// integration tests' job.
const net = require("node:net");

/** A simple string reply (`+OK`), as opposed to a bulk string. */
class Simple {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
  }
}

/**
 * A reply: an Error is an error reply, an array holds replies.
 * @typedef {string | number | null | Error | Simple | unknown[]} Reply
 */

/**
 * @typedef {object} RedisStandIn
 * @property {number} port
 * @property {string[][]} commands every command received, in order
 * @property {() => number} connections connections open now
 * @property {() => number} connectionsSeen connections accepted so far
 * @property {(answering: boolean) => void} answer false: read commands but never reply
 * @property {(ms: number) => void} delay reply this long after each command (0: at once)
 * @property {(command: string, message: string | undefined) => void} failWith `command` gets the error
 *   reply `message` (e.g. "MISCONF ..."), or is served again with undefined; inside MULTI, as in
 *   Redis, the error aborts the transaction (EXEC answers EXECABORT)
 * @property {() => void} drop closes every connection (the server keeps listening)
 * @property {() => Promise<void>} close
 */

/**
 * The commands in `buffer` (RESP arrays of bulk strings, as clients send them) and the bytes left
 * over from an incomplete one.
 * @param {Buffer} buffer
 * @returns {{ commands: string[][], rest: Buffer }}
 */
function parseCommands(buffer) {
  /** @type {string[][]} */
  const commands = [];
  let at = 0;
  for (;;) {
    const command = parseArray(buffer, at);
    if (!command) break;
    commands.push(command.args);
    at = command.end;
  }
  return { commands, rest: buffer.subarray(at) };
}

/**
 * @param {Buffer} buffer
 * @param {number} start
 * @returns {{ args: string[], end: number } | undefined} undefined until the whole array is there
 */
function parseArray(buffer, start) {
  const line = (/** @type {number} */ from) => {
    const end = buffer.indexOf("\r\n", from);
    return end < 0 ? undefined : { text: buffer.toString("latin1", from, end), next: end + 2 };
  };
  const header = line(start);
  if (!header) return undefined;
  if (header.text[0] !== "*") throw new Error(`not a RESP array: ${JSON.stringify(header.text)}`);
  /** @type {string[]} */
  const args = [];
  let at = header.next;
  for (let i = 0; i < Number(header.text.slice(1)); i++) {
    const size = line(at);
    if (!size) return undefined;
    const length = Number(size.text.slice(1));
    if (buffer.length < size.next + length + 2) return undefined;
    args.push(buffer.toString("utf8", size.next, size.next + length));
    at = size.next + length + 2;
  }
  return { args, end: at };
}

/**
 * @param {Reply} reply
 * @returns {string}
 */
function encode(reply) {
  if (reply === null) return "$-1\r\n";
  if (typeof reply === "number") return `:${reply}\r\n`;
  if (reply instanceof Error) return `-${reply.message}\r\n`;
  if (reply instanceof Simple) return `+${reply.text}\r\n`;
  if (Array.isArray(reply))
    return `*${reply.length}\r\n${reply.map((item) => encode(/** @type {Reply} */ (item))).join("")}`;
  return `$${Buffer.byteLength(reply)}\r\n${reply}\r\n`;
}

/**
 * Starts the stand-in on a free port of 127.0.0.1.
 * @param {{ password?: string }} [options] with a password, every command but AUTH needs AUTH first
 * @returns {Promise<RedisStandIn>}
 */
async function startRedisStandIn({ password } = {}) {
  /** @type {Map<string, number>} */
  const counters = new Map();
  /** @type {Map<string, Map<string, number>>} */
  const hashes = new Map();
  /** @type {string[][]} */
  const commands = [];
  /** @type {Map<string, string>} */
  const failures = new Map();
  let answering = true;
  let delayMs = 0;
  let seen = 0;
  /** @type {Set<net.Socket>} */
  const sockets = new Set();

  /** @param {string[]} args  @returns {Reply} */
  function execute([name, ...args]) {
    switch (name.toUpperCase()) {
      case "PING":
        return new Simple("PONG");
      case "INCR": {
        const value = (counters.get(args[0]) ?? 0) + 1;
        counters.set(args[0], value);
        return value;
      }
      case "HINCRBY": {
        const hash = hashes.get(args[0]) ?? new Map();
        const value = (hash.get(args[1]) ?? 0) + Number(args[2]);
        hashes.set(args[0], hash.set(args[1], value));
        return value;
      }
      case "HGETALL":
        return [...(hashes.get(args[0]) ?? new Map())].flatMap(([field, value]) => [field, String(value)]);
      default:
        return new Error(`ERR unknown command '${name}'`);
    }
  }

  const server = net.createServer((socket) => {
    seen++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let authenticated = password === undefined;
    /** @type {string[][] | undefined} commands queued since MULTI */
    let queued;
    let aborted = false;
    let pending = /** @type {Buffer} */ (Buffer.alloc(0));
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      const { commands: received, rest } = parseCommands(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const args of received) {
        commands.push(args);
        if (!answering) continue;
        const name = args[0].toUpperCase();
        const failure = failures.get(name);
        /** @type {Reply} */
        let reply;
        if (name === "AUTH") {
          authenticated = password !== undefined && args[args.length - 1] === password;
          reply = authenticated
            ? new Simple("OK")
            : new Error("WRONGPASS invalid username-password pair or user is disabled.");
        } else if (!authenticated) {
          reply = new Error("NOAUTH Authentication required.");
        } else if (failure !== undefined) {
          if (queued !== undefined) aborted = true;
          reply = new Error(failure);
        } else if (name === "MULTI") {
          queued = [];
          reply = new Simple("OK");
        } else if (name === "EXEC") {
          reply = aborted
            ? new Error("EXECABORT Transaction discarded because of previous errors.")
            : (queued ?? []).map(execute);
          queued = undefined;
          aborted = false;
        } else if (queued) {
          queued.push(args);
          reply = new Simple("QUEUED");
        } else {
          reply = execute(args);
        }
        const bytes = encode(reply);
        if (delayMs === 0) socket.write(bytes);
        else setTimeout(() => socket.write(bytes), delayMs);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  return {
    port: /** @type {net.AddressInfo} */ (server.address()).port,
    commands,
    connections: () => sockets.size,
    connectionsSeen: () => seen,
    answer: (value) => {
      answering = value;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    drop: () => {
      for (const socket of sockets) socket.destroy();
    },
    failWith: (command, message) => {
      if (message === undefined) failures.delete(command);
      else failures.set(command, message);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

module.exports = { startRedisStandIn };
