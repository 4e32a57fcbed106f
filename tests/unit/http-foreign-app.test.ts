// The http check against apps the stack did not write. One that cannot log in to Redis fails at
// once, with the cause and both fixes, instead of after the whole ready bound; one that names no
// replica (no X-Served-By) on a swarm is counted but its replicas are not. All through checks/run.js as the stack runs it, against a server on
// loopback that answers as an app of the tutorial's era does when Redis wants a password (HTTP 500
// with Redis's own refusal, `NOAUTH Authentication required.`, in the body). The bound is ten
// minutes, so the check's return with that message is the proof it did not wait it out.
import { spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

const RUN_JS = path.join(__dirname, "..", "..", "checks", "run.js");

function listen(answer: (res: http.ServerResponse) => void): Promise<http.Server> {
  const server = http.createServer((_req, res) => answer(res));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function runCheck(
  url: string,
  extra: object = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const spec = { check: "http", timeoutSeconds: 600, url, requests: 3, ...extra };
  const child = spawn(process.execPath, [RUN_JS], {
    env: { PATH: process.env.PATH ?? "", CHECK_SPEC: JSON.stringify(spec) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test.each([
  ["NOAUTH Authentication required.", "redis: NOAUTH Authentication required.\n"],
  // Redis's own error reply passed on as it came, with RESP's CR LF line end.
  ["NOAUTH Authentication required.", "-NOAUTH Authentication required.\r\n"],
  [
    "WRONGPASS invalid username-password pair or user is disabled.",
    "Error: WRONGPASS invalid username-password pair or user is disabled.",
  ],
])(
  "Redis's %j in the app's answer fails the check at once, naming both ways out",
  async (refusal, body) => {
    const server = await listen((res) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(body);
    });
    try {
      const { port } = server.address() as AddressInfo;
      const { code, stderr } = await runCheck(`http://127.0.0.1:${port}/`);
      expect(code).toBe(1);
      expect(stderr).toContain("check http failed: the app did not log in to Redis");
      expect(stderr).toContain(`Redis refused the app (its answer: ${refusal})`);
      expect(stderr).toContain("REDIS_PASSWORD_FILE");
      expect(stderr).toContain("set redisAuth to none");
      expect(stderr).not.toContain("waited 600 s");
    } finally {
      server.close();
    }
  },
  30_000,
);

test("an app that is merely not ready yet (503) is waited for", async () => {
  let answered = 0;
  const server = await listen((res) => {
    answered += 1;
    // Not ready twice, then a counter page as the app's: Total requests up by one each time.
    if (answered <= 2) {
      res.writeHead(503, { "Content-Type": "text/plain" });
      res.end("redis: connecting\n");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(`Total requests: ${answered}\n`);
  });
  try {
    const { port } = server.address() as AddressInfo;
    const { code, stderr } = await runCheck(`http://127.0.0.1:${port}/`);
    expect(stderr).not.toContain("did not log in");
    expect(code).toBe(0);
  } finally {
    server.close();
  }
}, 30_000);

describe("on a swarm (at least two replicas must answer)", () => {
  /** A counter page; `servedBy(n)` names the replica of the n-th answer, or none. */
  const counter = (servedBy: (n: number) => string | undefined) => {
    let n = 0;
    return listen((res) => {
      n += 1;
      const name = servedBy(n);
      res.writeHead(200, {
        "Content-Type": "text/plain",
        ...(name === undefined ? {} : { "X-Served-By": name }),
      });
      res.end(`Total requests: ${n}\n`);
    });
  };

  test("an app that names no replica passes, and the result says its replicas were not counted", async () => {
    const server = await counter(() => undefined);
    try {
      const { port } = server.address() as AddressInfo;
      const { code, stdout } = await runCheck(`http://127.0.0.1:${port}/`, { minServers: 2 });
      expect(code).toBe(0);
      expect(JSON.parse(stdout).seen).toContain(
        "(replicas not counted: the app names none, no X-Served-By header)",
      );
    } finally {
      server.close();
    }
  }, 30_000);

  test("an app that names one replica only still fails: there, they are counted", async () => {
    const server = await counter(() => "only-one");
    try {
      const { port } = server.address() as AddressInfo;
      const { code, stderr } = await runCheck(`http://127.0.0.1:${port}/`, { minServers: 2 });
      expect(code).toBe(1);
      expect(stderr).toContain("only 1 replica(s) of the app");
    } finally {
      server.close();
    }
  }, 30_000);
});
