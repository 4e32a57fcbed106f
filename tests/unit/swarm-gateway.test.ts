// images/gateway/gateway.js, the swarm target's stand-in for the routing mesh, on loopback: two
// small HTTP "replicas" on 127.0.0.1 and 127.0.0.2 (the same port), a resolver that returns their
// addresses, and real connections through the gateway. Every wait is bounded.
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { configFromEnv, connectFirst, roundRobin, startGateway } from "../../images/gateway/gateway";

jest.setTimeout(15_000);

interface Replica {
  server: http.Server;
  hits: () => number;
}

function replica(host: string, port: number): Promise<Replica> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { "X-Served-By": host, "Content-Type": "text/plain" });
    res.end(`hello from ${host}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve({ server, hits: () => hits }));
  });
}

function close(server: net.Server | http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** One GET on a new connection; the status and X-Served-By, or the error. */
function get(port: number): Promise<{ status?: number; servedBy?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode, servedBy: res.headers["x-served-by"] as string }),
      );
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
  });
}

/** A port free on 127.0.0.1 (and, on Linux, normally on 127.0.0.2 as well). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await close(probe);
  return port;
}

describe("configFromEnv", () => {
  test("defaults and the required upstream", () => {
    expect(configFromEnv({ UPSTREAM_HOST: "tasks.app" })).toEqual({
      listenPort: 3000,
      upstreamHost: "tasks.app",
      upstreamPort: 3000,
      connectTimeoutMs: 2000,
    });
    expect(() => configFromEnv({})).toThrow("UPSTREAM_HOST is required");
    expect(() => configFromEnv({ UPSTREAM_HOST: "x", UPSTREAM_PORT: "0" })).toThrow(
      'UPSTREAM_PORT must be a whole number 1-65535, got "0"',
    );
    expect(() => configFromEnv({ UPSTREAM_HOST: "x", LISTEN_PORT: "3e3" })).toThrow("LISTEN_PORT");
  });
});

describe("roundRobin", () => {
  test("each call starts one further, over the sorted, de-duplicated addresses", () => {
    const next = roundRobin();
    const list = ["10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.1"];
    expect(next(list)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    expect(next(list)).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.1"]);
    expect(next(list)).toEqual(["10.0.0.3", "10.0.0.1", "10.0.0.2"]);
    expect(next(list)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    // A task leaving the list: the rotation goes on over the rest.
    expect(next(["10.0.0.1", "10.0.0.3"])).toEqual(["10.0.0.1", "10.0.0.3"]);
    expect(next(["10.0.0.1", "10.0.0.3"])).toEqual(["10.0.0.3", "10.0.0.1"]);
    expect(next([])).toEqual([]);
  });
});

describe("the gateway between clients and two replicas", () => {
  let port: number;
  let replicas: Replica[];
  const gateways: ReturnType<typeof startGateway>[] = [];

  beforeAll(async () => {
    port = await freePort();
    replicas = [await replica("127.0.0.1", port), await replica("127.0.0.2", port)];
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await Promise.all(replicas.map((r) => close(r.server)));
  });

  async function gateway(resolve: (host: string) => Promise<string[]>, log: string[] = []): Promise<number> {
    const g = startGateway({
      listenPort: 0,
      upstreamHost: "tasks.app",
      upstreamPort: port,
      connectTimeoutMs: 1000,
      resolve,
      log: (line) => log.push(line),
    });
    gateways.push(g);
    return g.listening;
  }

  test("connections alternate between the replicas; every request is answered", async () => {
    const listen = await gateway(async () => ["127.0.0.2", "127.0.0.1"]);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await get(listen));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.map((a) => a.servedBy)).toEqual([
      "127.0.0.1",
      "127.0.0.2",
      "127.0.0.1",
      "127.0.0.2",
      "127.0.0.1",
      "127.0.0.2",
    ]);
  });

  test("a task that refuses connections is skipped for the next one", async () => {
    const gone = await freePort();
    const log: string[] = [];
    const g = startGateway({
      listenPort: 0,
      upstreamHost: "tasks.app",
      upstreamPort: gone,
      connectTimeoutMs: 1000,
      resolve: async () => ["127.0.0.1"],
      log: (line) => log.push(line),
    });
    gateways.push(g);
    const listen = await g.listening;
    // Nothing listens on `gone`: the client's connection is closed, and the gateway says why, once.
    expect((await get(listen)).error).toBeDefined();
    expect((await get(listen)).error).toBeDefined();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(
      /^no task of tasks\.app accepted a connection: 127\.0\.0\.1: connect ECONNREFUSED/,
    );

    const outcome = await connectFirst(["127.0.0.3", "127.0.0.1"], port, 1000);
    // 127.0.0.3 has no listener on that port; 127.0.0.1 takes the connection.
    expect("socket" in outcome && outcome.address).toBe("127.0.0.1");
    if ("socket" in outcome) outcome.socket.destroy();
  });

  test("a name that does not resolve closes the connection and is logged", async () => {
    const log: string[] = [];
    const listen = await gateway(async () => {
      throw new Error("getaddrinfo ENOTFOUND tasks.app");
    }, log);
    expect((await get(listen)).error).toBeDefined();
    expect(log).toEqual(["cannot resolve tasks.app: getaddrinfo ENOTFOUND tasks.app"]);
  });

  test("a half-closed request still gets its whole answer", async () => {
    const listen = await gateway(async () => ["127.0.0.1"]);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: listen, allowHalfOpen: true }, () => {
        socket.end("GET / HTTP/1.0\r\nHost: x\r\n\r\n");
      });
      let data = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk) => (data += chunk));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(reply).toContain("hello from 127.0.0.1");
  });
});
