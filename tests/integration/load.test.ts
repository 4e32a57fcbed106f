// Load and hostile HTTP against the real app container, through its published port. One stack
// (legacy link mode): 2,000 GETs over 50 keep-alive connections all answer 200 and raise the counter
// by exactly 2,000; then malformed requests (a 100 KB path, odd methods, bad header bytes, a client
// that stalls half-way through its headers) neither crash nor restart the app, and the next good
// request answers 200. app/test covers the same against a local process; this is the built image.
import * as http from "http";
import * as net from "net";
import { BUDGET_MS, progress, uniqueName, up } from "./harness";
import {
  countedGet,
  inspectContainer,
  opened,
  openProgramStack,
  ProgramStack,
  REMOVE_BUDGET_MS,
  removeProgramStack,
  totalOf,
} from "./program-stack";
import { CONNECTIONS_CHECK_MS, HEADERS_TIMEOUT_MS } from "../../app/server";

const STACK_NAME = uniqueName("ops-load");
const PORT = 3146;
const REQUESTS = 2_000;
const CONNECTIONS = 50;
/** Bound of one request under load: generous, so a slow answer shows up as slow, not as an error. */
const REQUEST_TIMEOUT_MS = 15_000;

let ps: ProgramStack | undefined;

beforeAll(
  async () => {
    ps = await openProgramStack(STACK_NAME, { linkMode: "legacy", port: PORT, subnet: "172.31.249.0/24" });
    const result = await up(ps.stack, "load");
    expect(result.summary.result).toBe("succeeded");
  },
  BUDGET_MS.openStack + BUDGET_MS.up + 30_000,
);

afterAll(async () => {
  // Destroy keeps the data volume by design; removeProgramStack removes it too.
  expect(await removeProgramStack(STACK_NAME, ps)).toEqual([]);
}, REMOVE_BUDGET_MS);

/** One GET through `agent`; resolves with the status and the page's total, or the error. */
function agentGet(agent: http.Agent): Promise<{ status: number; total?: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port: PORT, path: "/", agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        resolve(status === 200 ? { status, total: totalOf(body) } : { status });
      });
      res.on("error", (err) => resolve({ error: err.message }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.on("error", (err) => resolve({ error: err.message }));
  });
}

test("2,000 requests over 50 concurrent connections: all 200, the counter rises by exactly 2,000", async () => {
  const { url } = opened(ps);
  const say = progress("load");
  const before = await countedGet(url);

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const totals: number[] = [];
  const failures: string[] = [];
  const sockets = new Set<net.Socket>();
  agent.on("free", (socket: net.Socket) => sockets.add(socket));
  let next = 0;
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < REQUESTS) {
          next++;
          const answer = await agentGet(agent);
          if ("error" in answer) failures.push(answer.error);
          else if (answer.status !== 200 || answer.total === undefined)
            failures.push(`HTTP ${answer.status}`);
          else totals.push(answer.total);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  say(
    `${REQUESTS} requests over ${sockets.size} connections in ${seconds.toFixed(1)} s ` +
      `(${Math.round(REQUESTS / seconds)}/s); ${failures.length} failed`,
  );

  expect(failures).toEqual([]);
  expect(totals).toHaveLength(REQUESTS);
  // Keep-alive: the requests shared at most 50 connections.
  expect(sockets.size).toBeLessThanOrEqual(CONNECTIONS);
  // Every request was counted once: together they saw each value from before+1 to before+2000.
  const sorted = [...totals].sort((a, b) => a - b);
  expect(sorted[0]).toBe(before + 1);
  expect(sorted[sorted.length - 1]).toBe(before + REQUESTS);
  expect(new Set(totals).size).toBe(REQUESTS);
  // The one extra request after: exactly 2,000 (plus itself) more than the one before.
  expect(await countedGet(url)).toBe(before + REQUESTS + 1);
}, 180_000);

interface RawExchange {
  /** Everything the app sent back. */
  response: string;
  /** When the app closed (or reset) the connection, in ms from the start; undefined if it never did. */
  closedAfterMs?: number;
}

/**
 * Sends `bytes` on a fresh connection and collects what comes back until the app closes it or
 * `waitMs` passes (then we close it ourselves). A reset counts as the app closing it.
 */
function rawExchange(bytes: string | Buffer, waitMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    let closedAfterMs: number | undefined;
    const socket = net.connect({ host: "127.0.0.1", port: PORT }, () => socket.write(bytes));
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("end", () => (closedAfterMs ??= Math.round(performance.now() - start)));
    socket.on("close", (hadError) => {
      clearTimeout(timer);
      if (hadError) closedAfterMs ??= Math.round(performance.now() - start);
      resolve({ response: Buffer.concat(chunks).toString("latin1"), closedAfterMs });
    });
  });
}

const statusOf = (response: string) => /^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1];

describe("malformed HTTP against the live app container", () => {
  let life: { startedAt: string; restarts: number } | undefined;

  beforeAll(async () => {
    const info = await inspectContainer(opened(ps).names.app);
    life = { startedAt: info.State.StartedAt, restarts: info.RestartCount };
    expect(life.restarts).toBe(0);
  });

  /** The app did not crash or restart, and a good request is answered. */
  async function stillServing(): Promise<void> {
    const { names, url } = opened(ps);
    const info = await inspectContainer(names.app);
    expect({
      running: info.State.Running,
      startedAt: info.State.StartedAt,
      restarts: info.RestartCount,
    }).toEqual({
      running: true,
      ...life,
    });
    await countedGet(url);
  }

  const malformed: { what: string; bytes: string | Buffer; statuses: string[] }[] = [
    {
      what: "a 100 KB path",
      bytes: `GET /${"a".repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      statuses: ["414", "431", "400"],
    },
    {
      what: "an unknown method",
      bytes: "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
      statuses: ["400", "405", "501"],
    },
    {
      what: "a method the app does not serve",
      bytes: "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      statuses: ["405"],
    },
    {
      what: "control bytes in a header value",
      bytes: Buffer.from("GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\x01c\x7f\r\n\r\n", "latin1"),
      statuses: ["400"],
    },
    {
      what: "a header line without a colon",
      bytes: "GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
      statuses: ["400"],
    },
    {
      what: "both Content-Length and Transfer-Encoding (request smuggling)",
      bytes: "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      statuses: ["400"],
    },
    {
      what: "binary garbage (a TLS hello on the plain port)",
      bytes: Buffer.from([
        0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a,
      ]),
      statuses: ["400"],
    },
  ];

  test.each(malformed)(
    "$what: refused with a 4xx, no crash, the next request answers 200",
    async ({ what, bytes, statuses }) => {
      const exchange = await rawExchange(bytes, 10_000);
      progress("load malformed")(`${what}: ${exchange.response.split("\r\n", 1)[0] || "no answer"}`);
      // Refused (a 4xx, or the connection cut for an oversized request), never served or a server error.
      const status = statusOf(exchange.response);
      if (status === undefined) {
        expect(exchange.response).toBe("");
        expect(exchange.closedAfterMs).toBeDefined();
      } else {
        expect(statuses).toContain(status);
      }
      await stillServing();
    },
    30_000,
  );

  test("a client that sends half a header and stalls is cut off within the app's header timeout", async () => {
    const say = progress("load malformed");
    // Node checks for expired header timeouts every CONNECTIONS_CHECK_MS.
    const boundMs = HEADERS_TIMEOUT_MS + CONNECTIONS_CHECK_MS + 1_000;
    const exchange = await rawExchange("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", boundMs + 10_000);
    say(
      `stalled client cut off after ${exchange.closedAfterMs ?? "never"} ms (status ${statusOf(exchange.response)})`,
    );
    // The app's own header timeout ended it: its 408, not the client giving up.
    expect(exchange.closedAfterMs).toBeDefined();
    expect(statusOf(exchange.response)).toBe("408");
    await stillServing();
  }, 60_000);
});
