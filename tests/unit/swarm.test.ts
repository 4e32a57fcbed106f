// The swarm target without an engine: (1) the whole program (index.ts) under Pulumi's mocks with
// target=swarm: which services, network, secret and checks it registers, with which inputs, and what
// it exports; (2) checks/run.js's swarm inputs (CHECK_SERVICE, CHECK_EXPECTED_SERVICE/CHECK_NETWORK,
// CHECK_MIN_SERVERS) against a fake `docker` first on PATH and small HTTP servers; (3) the pure
// helpers they use. The real engine is exercised by tests/integration/swarm.test.ts.
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { countServers, runningTaskAddresses } from "../../checks/parse";
import {
  COMMAND,
  CONTAINER,
  LoadedProgram,
  Program,
  loadProgram as loadProgramWith,
  recordingMocks,
  registered,
  resolved,
} from "./program";

const SERVICE = "docker:index/service:Service";
const NODE_ID = "nzzceue1u7h9r7fn2rbaemaz2";
const APP_IMAGE_ID = `sha256:${crypto.createHash("sha256").update("app image").digest("hex")}`;
const REDIS_TASK_ADDRESS = "10.20.30.7";
const CHECKS = ["env", "hosts", "ping", "http", "keys"] as const;

function checkResult(check: string) {
  const data: Record<string, unknown> = { mocked: check };
  if (check === "hosts") data.address = REDIS_TASK_ADDRESS;
  return { check, ok: true, expected: `expected ${check}`, seen: `seen ${check}`, data };
}

function commandStdout(name: string): string {
  if (name === "redis-server-node") return NODE_ID;
  if (name === "counter-app-image") return APP_IMAGE_ID;
  const check = /^verify-(.+)$/.exec(name)?.[1];
  if (check && (CHECKS as readonly string[]).includes(check)) return JSON.stringify(checkResult(check));
  throw new Error(`no mock stdout for command ${name}`);
}

/** The inputs of a registered docker.Service, as far as the tests read them. */
interface ServiceInputs {
  name: string;
  mode: unknown;
  taskSpec: {
    containerSpec: {
      image: string;
      commands?: string[];
      env?: Record<string, string>;
      mounts?: unknown[];
      secrets?: unknown[];
      configs?: unknown[];
      healthcheck?: { tests: string[] };
    };
    placement?: unknown;
    networksAdvanceds: unknown[];
  };
  endpointSpec: unknown;
  updateConfig: unknown;
  rollbackConfig?: unknown;
}

function loadProgram(config: Record<string, string>, secrets: string[] = []): Promise<LoadedProgram> {
  return loadProgramWith(config, recordingMocks(commandStdout), { secrets });
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a serialized input value (as the mocks see it) is a secret. */
function isSecret(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** A serialized input value with every secret replaced by its plain value. */
function plain(value: unknown): unknown {
  if (isSecret(value)) return plain((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const NAMES = {
  redisName: "unit-redis",
  appName: "unit-app",
  cliName: "unit-cli",
  probeName: "unit-probe",
  networkName: "unit-overlay",
  dataVolume: "unit-data",
};
const SUBNET = "10.20.30.0/24";
const APP_PORT = 3190;
const PASSWORD = "unit-Secret.1";

const CASES = [
  { publish: "ingress", replicas: 3, password: false },
  { publish: "gateway", replicas: 1, password: true },
] as const;

describe.each(CASES)(
  "the program with target swarm, appPublish $publish, $replicas replica(s), password $password",
  ({ publish, replicas, password }) => {
    let loaded: LoadedProgram;
    let verification: pulumi.Unwrap<Program["verification"]>;
    const service = (name: string) =>
      plain(registered(loaded.registrations, SERVICE, name).inputs) as ServiceInputs;
    const command = (name: string) => registered(loaded.registrations, COMMAND, name).inputs;

    beforeAll(async () => {
      loaded = await loadProgram(
        {
          target: "swarm",
          linkMode: "network",
          linkAlias: "cache",
          appReplicas: String(replicas),
          appPublish: publish,
          ...NAMES,
          networkSubnet: SUBNET,
          appPort: String(APP_PORT),
          checkRequests: "2",
          readyTimeoutSeconds: "42",
          ...(password ? { redisPassword: PASSWORD } : {}),
        },
        password ? ["redisPassword"] : [],
      );
      verification = await resolved(loaded.pulumi, loaded.program.verification);
    }, 60_000);

    test("an attachable overlay network with the configured subnet, and the data volume", () => {
      expect(
        registered(loaded.registrations, "docker:index/network:Network", "redis-server-network").inputs,
      ).toMatchObject({
        name: "unit-overlay",
        driver: "overlay",
        attachable: true,
        ipamConfigs: [{ subnet: SUBNET }],
      });
      expect(
        registered(loaded.registrations, "docker:index/volume:Volume", "redis-server-data").inputs,
      ).toMatchObject({ name: "unit-data" });
    });

    test("no plain container for Redis or the app: they are services", () => {
      const containers = loaded.registrations.filter((r) => r.type === CONTAINER).map((r) => r.name);
      expect(containers.sort()).toEqual(["link-probe", "redis-cli"]);
    });

    test("Redis: one replica on the volume with AOF, pinned to this node, alias on the overlay, dnsrr", () => {
      const redis = service("redis-server");
      expect(redis.name).toBe("unit-redis");
      expect(redis.mode).toEqual({ replicated: { replicas: 1 } });
      const spec = redis.taskSpec.containerSpec;
      expect(spec.image).toBe("redis:7.0-image-id");
      expect(spec.commands).toEqual([
        "redis-server",
        ...(password ? ["/run/secrets/redis-auth.conf"] : ["--protected-mode", "no"]),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
      ]);
      expect(spec.mounts).toEqual([{ type: "volume", source: "unit-data", target: "/data" }]);
      expect(spec.healthcheck?.tests).toEqual(["CMD-SHELL", "redis-cli ping | grep -qE 'PONG|NOAUTH'"]);
      expect(redis.taskSpec.placement).toEqual({ constraints: [`node.id==${NODE_ID}`] });
      expect(redis.taskSpec.networksAdvanceds).toEqual([
        { id: "redis-server-network-id", aliases: ["cache"] },
      ]);
      expect(redis.endpointSpec).toEqual({ mode: "dnsrr" });
      expect(redis.updateConfig).toMatchObject({ parallelism: 1, order: "stop-first" });
      expect(JSON.stringify(redis)).not.toContain(PASSWORD);
    });

    test(`the password: ${password ? "a swarm secret file for Redis, REDIS_PASSWORD for the app" : "none"}`, () => {
      const secrets = loaded.registrations.filter((r) => r.type === "docker:index/secret:Secret");
      const spec = service("redis-server").taskSpec.containerSpec;
      if (!password) {
        expect(secrets).toEqual([]);
        expect(spec.secrets).toEqual([]);
        return;
      }
      expect(secrets).toHaveLength(1);
      expect(isSecret(secrets[0].inputs.data)).toBe(true);
      const secret = plain(secrets[0].inputs) as { name: string; data: string };
      expect(Buffer.from(secret.data, "base64").toString()).toBe(`requirepass ${PASSWORD}\n`);
      expect(secret.name).toMatch(/^unit-redis-auth-[0-9a-f]{12}$/);
      expect(secret.name).not.toContain(PASSWORD);
      expect(spec.secrets).toEqual([
        { secretId: "redis-server-auth-id", secretName: secret.name, fileName: "redis-auth.conf" },
      ]);
    });

    test("the app: appReplicas tasks of the built image on the overlay, rolling updates start-first", () => {
      const app = service("counter-app");
      expect(app.name).toBe("unit-app");
      expect(app.mode).toEqual({ replicated: { replicas } });
      expect(app.taskSpec.containerSpec.image).toBe(APP_IMAGE_ID);
      expect(app.taskSpec.containerSpec.env).toEqual({
        REDIS_HOST: "cache",
        PORT: "3000",
        ...(password ? { REDIS_PASSWORD: PASSWORD } : {}),
      });
      expect(app.taskSpec.networksAdvanceds).toEqual([{ id: "redis-server-network-id" }]);
      expect(app.updateConfig).toMatchObject({
        parallelism: 1,
        order: "start-first",
        failureAction: "rollback",
      });
      expect(app.rollbackConfig).toMatchObject({ parallelism: 1, order: "start-first" });
      // The password in the app's env keeps the service's spec secret in the state.
      const raw = registered(loaded.registrations, SERVICE, "counter-app").inputs.taskSpec;
      expect(JSON.stringify(raw).includes(SECRET_SIG)).toBe(password);
      expect(command("counter-app-image").environment).toMatchObject({
        TAG: expect.stringMatching(/^container-links\/unit-app:[0-9a-f]{12}$/),
      });
    });

    test(`publishing on appPort: ${publish === "ingress" ? "the routing mesh" : "the gateway in host mode"}`, () => {
      const app = service("counter-app");
      const gateways = loaded.registrations.filter(
        (r) => r.type === SERVICE && r.name === "counter-app-gateway",
      );
      if (publish === "ingress") {
        expect(app.endpointSpec).toEqual({
          mode: "vip",
          ports: [{ targetPort: 3000, publishedPort: APP_PORT, publishMode: "ingress" }],
        });
        expect(gateways).toEqual([]);
        return;
      }
      expect(app.endpointSpec).toEqual({ mode: "dnsrr" });
      const gateway = service("counter-app-gateway");
      expect(gateway.name).toBe("unit-app-gateway");
      expect(gateway.mode).toEqual({ replicated: { replicas: 1 } });
      expect(gateway.endpointSpec).toEqual({
        mode: "dnsrr",
        ports: [{ targetPort: 3000, publishedPort: APP_PORT, publishMode: "host" }],
      });
      const spec = gateway.taskSpec.containerSpec;
      expect(spec.image).toBe("node:18-bookworm-slim-image-id");
      expect(spec.commands).toEqual(["node", "/gateway/gateway.js"]);
      expect(spec.env).toEqual({
        UPSTREAM_HOST: "tasks.unit-app",
        UPSTREAM_PORT: "3000",
        LISTEN_PORT: "3000",
      });
      const script = registered(
        loaded.registrations,
        "docker:index/serviceConfig:ServiceConfig",
        "counter-app-gateway-script",
      ).inputs as { name: string; data: string };
      const source = fs.readFileSync(path.join(__dirname, "..", "..", "components", "gateway", "gateway.js"));
      expect(Buffer.from(script.data, "base64").equals(source)).toBe(true);
      expect(script.name).toMatch(/^unit-app-gateway-[0-9a-f]{12}$/);
      expect(spec.configs).toEqual([
        {
          configId: "counter-app-gateway-script-id",
          configName: script.name,
          fileName: "/gateway/gateway.js",
        },
      ]);
    });

    test("redis-cli and the probe are plain containers on the overlay", () => {
      for (const name of ["redis-cli", "link-probe"]) {
        const c = registered(loaded.registrations, CONTAINER, name).inputs;
        expect(c.networksAdvanced).toEqual([{ name: "unit-overlay" }]);
        expect(c.hosts ?? []).toEqual([]);
      }
      expect(registered(loaded.registrations, CONTAINER, "redis-cli").inputs.command).toEqual([
        "sh",
        "-c",
        'stty cols 80 rows 24 2>/dev/null; exec redis-cli -h "$1"',
        "redis-cli",
        "cache",
      ]);
    });

    test("the checks look into a task of the app, and at the address swarm gave Redis", () => {
      const common = {
        CHECKS_RUN: path.resolve(__dirname, "..", "..", "checks", "run.js"),
        CHECK_ALIAS: "cache",
        CHECK_MODE: "network",
        CHECK_TIMEOUT_SECONDS: "42",
      };
      const redisAt = { CHECK_EXPECTED_SERVICE: "unit-redis", CHECK_NETWORK: "unit-overlay" };
      expect(command("verify-env").environment).toEqual({ ...common, CHECK_SERVICE: "unit-app" });
      expect(command("verify-hosts").environment).toEqual({
        ...common,
        CHECK_SERVICE: "unit-app",
        ...redisAt,
      });
      expect(command("verify-ping").environment).toEqual({
        ...common,
        CHECK_CONTAINER: "unit-probe",
        ...redisAt,
      });
      expect(command("verify-http").environment).toEqual({
        ...common,
        CHECK_URL: `http://127.0.0.1:${APP_PORT}/`,
        CHECK_REQUESTS: String(Math.max(2, replicas)),
        CHECK_MIN_SERVERS: String(Math.min(2, replicas)),
      });
      expect(command("verify-keys").environment).toEqual({ ...common, CHECK_CONTAINER: "unit-cli" });
      // Each check re-runs when Redis's service or what it checks changes (revisions are digests).
      const triggers = command("verify-env").triggers as string[];
      expect(triggers).toHaveLength(2);
      for (const t of triggers) expect(t).toMatch(/^[0-9a-f]{16}$/);
    });

    test("stack outputs: the same names, the overlay as the link", async () => {
      const { pulumi, program } = loaded;
      expect(await resolved(pulumi, program.redis)).toEqual({
        name: "unit-redis",
        id: "redis-server-id",
        ip: REDIS_TASK_ADDRESS,
      });
      expect(await resolved(pulumi, program.app)).toEqual({
        name: "unit-app",
        url: `http://localhost:${APP_PORT}/`,
        replicas,
      });
      expect(await resolved(pulumi, program.cli)).toEqual({
        name: "unit-cli",
        attach: "docker attach unit-cli",
      });
      expect(await resolved(pulumi, program.link)).toEqual({
        mode: "network",
        note: "swarm: DNS on the overlay network unit-overlay, no link env vars",
        alias: "cache",
        env: {},
        hosts: [],
      });
      expect(verification.ok).toBe(true);
    });
  },
);

// ---------------------------------------------------------------------------------------------------
// checks/run.js on the swarm target

const RUN_JS = path.join(__dirname, "..", "..", "checks", "run.js");
const NODE_DIR = path.dirname(process.execPath);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: string[][];
}

interface FakeRule {
  prefix: string;
  stdout?: string;
  code?: number;
}

// A stand-in for the docker CLI: answers from the first rule whose prefix the arguments start with,
// and records every call.
const FAKE_DOCKER = `#!/usr/bin/env node
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_DOCKER_CALLS, JSON.stringify(args) + "\\n");
const rules = JSON.parse(fs.readFileSync(process.env.FAKE_DOCKER_RULES, "utf8"));
const rule = rules.find((r) => args.join(" ").startsWith(r.prefix));
if (!rule) {
  process.stderr.write("fake docker: no rule for " + args.join(" ") + "\\n");
  process.exit(125);
}
process.stdout.write(rule.stdout || "");
process.exit(rule.code || 0);
`;

let fakeDir: string;
let runs = 0;
beforeAll(() => {
  fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "swarm-checks-"));
  fs.writeFileSync(path.join(fakeDir, "docker"), FAKE_DOCKER, { mode: 0o755 });
});
afterAll(() => fs.rmSync(fakeDir, { recursive: true, force: true }));

function runCheck(check: string, env: Record<string, string>, rules: FakeRule[] = []): Promise<Run> {
  const id = ++runs;
  const rulesFile = path.join(fakeDir, `rules-${id}.json`);
  const callsFile = path.join(fakeDir, `calls-${id}.jsonl`);
  fs.writeFileSync(rulesFile, JSON.stringify(rules));
  fs.writeFileSync(callsFile, "");
  const child = spawn(process.execPath, [RUN_JS, check], {
    env: {
      PATH: `${fakeDir}${path.delimiter}${NODE_DIR}${path.delimiter}${process.env.PATH ?? ""}`,
      FAKE_DOCKER_RULES: rulesFile,
      FAKE_DOCKER_CALLS: callsFile,
      CHECK_TIMEOUT_SECONDS: "3",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`run.js ${check} still running after 15 s; stderr:\n${stderr}`));
    }, 15_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      const calls = fs
        .readFileSync(callsFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]);
      resolve({ code, stdout, stderr, calls });
    });
  });
}

function result(r: Run): CheckOutput {
  return JSON.parse(r.stdout.split("\n")[0]);
}

/** The one line of JSON a check prints. */
interface CheckOutput {
  ok: boolean;
  expected: string;
  seen: string;
  data: { servers: Record<string, number>; minServers: number };
}

const HEALTHY = JSON.stringify({ Status: "running", Running: true, Health: { Status: "healthy", Log: [] } });
const TASK_CONTAINERS = "unit-app.2.bbbb\nunit-app.1.aaaa\n";
const taskJson = (address: string, state = "running") =>
  JSON.stringify([
    {
      Status: { State: state },
      NetworksAttachments: [
        { Network: { Spec: { Name: "ingress" } }, Addresses: ["10.0.0.9/24"] },
        { Network: { Spec: { Name: "unit-overlay" } }, Addresses: [`${address}/24`] },
      ],
    },
  ]);
const APP_TASK_RULES: FakeRule[] = [
  {
    prefix: "ps --filter label=com.docker.swarm.service.name=unit-app --filter status=running",
    stdout: TASK_CONTAINERS,
  },
  { prefix: "inspect --format {{json .State}} unit-app.1.aaaa", stdout: HEALTHY },
];
const REDIS_TASK_RULES = (address: string): FakeRule[] => [
  { prefix: "service ps --quiet --no-trunc --filter desired-state=running unit-redis", stdout: "task1\n" },
  { prefix: "inspect --type task task1", stdout: taskJson(address) },
];
const SWARM = { CHECK_ALIAS: "redis", CHECK_MODE: "network" };
const NOTE = "swarm: DNS on the overlay, no link env vars";

describe("checks/run.js, swarm target (fake docker)", () => {
  test("env runs in the first running task of the service and finds no link variables", async () => {
    const r = await runCheck("env", { ...SWARM, CHECK_SERVICE: "unit-app" }, [
      ...APP_TASK_RULES,
      { prefix: "exec unit-app.1.aaaa env", stdout: "PATH=/bin\nREDIS_HOST=redis\nPORT=3000\n" },
    ]);
    expect(r.code).toBe(0);
    expect(result(r)).toEqual({
      check: "env",
      ok: true,
      expected: `no REDIS_* link variables (${NOTE})`,
      seen: `no REDIS_* link variables in task unit-app.1.aaaa (${NOTE})`,
      data: { container: "unit-app.1.aaaa", vars: {}, service: "unit-app" },
    });
  });

  test("env fails when a task has link variables after all", async () => {
    const r = await runCheck("env", { ...SWARM, CHECK_SERVICE: "unit-app" }, [
      ...APP_TASK_RULES,
      { prefix: "exec unit-app.1.aaaa env", stdout: "REDIS_PORT=tcp://10.0.0.2:6379\n" },
      { prefix: "logs", stdout: "" },
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("REDIS_PORT: unexpected");
  });

  test("env waits (bounded) for a running task and says so when there is none", async () => {
    const r = await runCheck("env", { ...SWARM, CHECK_SERVICE: "unit-app", CHECK_TIMEOUT_SECONDS: "1" }, [
      { prefix: "ps --filter", stdout: "" },
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no running task of service unit-app on this engine within 1 s");
  });

  test("hosts: no hosts line, and the alias resolves to the address swarm gave Redis's task", async () => {
    const r = await runCheck(
      "hosts",
      {
        ...SWARM,
        CHECK_SERVICE: "unit-app",
        CHECK_EXPECTED_SERVICE: "unit-redis",
        CHECK_NETWORK: "unit-overlay",
      },
      [
        ...APP_TASK_RULES,
        ...REDIS_TASK_RULES("10.20.30.7"),
        { prefix: "exec unit-app.1.aaaa cat /etc/hosts", stdout: "127.0.0.1\tlocalhost\n10.20.30.9\taaaa\n" },
        { prefix: "exec unit-app.1.aaaa getent hosts redis", stdout: "10.20.30.7      redis\n" },
      ],
    );
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      ok: true,
      expected: `no /etc/hosts line for redis; getent hosts redis gives 10.20.30.7 (${NOTE})`,
      seen: `no /etc/hosts line for redis; getent hosts redis gives 10.20.30.7 in task unit-app.1.aaaa (${NOTE})`,
      data: { container: "unit-app.1.aaaa", lines: [], address: "10.20.30.7", service: "unit-app" },
    });
  });

  test("hosts fails when the alias leads elsewhere than Redis's task", async () => {
    const r = await runCheck(
      "hosts",
      {
        ...SWARM,
        CHECK_SERVICE: "unit-app",
        CHECK_EXPECTED_SERVICE: "unit-redis",
        CHECK_NETWORK: "unit-overlay",
      },
      [
        ...APP_TASK_RULES,
        ...REDIS_TASK_RULES("10.20.30.7"),
        { prefix: "exec unit-app.1.aaaa cat /etc/hosts", stdout: "127.0.0.1\tlocalhost\n" },
        { prefix: "exec unit-app.1.aaaa getent hosts redis", stdout: "10.20.30.99    redis\n" },
        { prefix: "logs", stdout: "" },
      ],
    );
    expect(r.code).toBe(1);
    expect(result(r)).toMatchObject({ ok: false, data: { address: "10.20.30.99" } });
    expect(r.stderr).toContain("redis resolves to the wrong address");
  });

  test("ping from the probe gets an answer from Redis's task", async () => {
    const r = await runCheck(
      "ping",
      {
        ...SWARM,
        CHECK_CONTAINER: "unit-probe",
        CHECK_EXPECTED_SERVICE: "unit-redis",
        CHECK_NETWORK: "unit-overlay",
      },
      [
        ...REDIS_TASK_RULES("10.20.30.7"),
        { prefix: "inspect --format {{json .State}} unit-probe", stdout: HEALTHY },
        {
          prefix: "exec unit-probe ping",
          stdout:
            "PING redis (10.20.30.7): 56 data bytes\n1 packets transmitted, 1 packets received, 0% packet loss\n",
        },
      ],
    );
    expect(r.code).toBe(0);
    expect(result(r)).toMatchObject({
      ok: true,
      expected: "ping -c 1 redis gets 1 reply from 10.20.30.7 (service unit-redis's task)",
      data: { address: "10.20.30.7" },
    });
  });

  test("the Redis address is waited for (bounded) while its task is not running", async () => {
    const r = await runCheck(
      "ping",
      {
        ...SWARM,
        CHECK_CONTAINER: "unit-probe",
        CHECK_EXPECTED_SERVICE: "unit-redis",
        CHECK_NETWORK: "unit-overlay",
        CHECK_TIMEOUT_SECONDS: "1",
      },
      [
        { prefix: "service ps", stdout: "task1\n" },
        { prefix: "inspect --type task task1", stdout: taskJson("10.20.30.7", "starting") },
      ],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no address for service unit-redis on unit-overlay within 1 s");
    expect(r.stderr).toContain("no running task with an address on unit-overlay");
  });

  test.each([
    [{ CHECK_SERVICE: "unit-app", CHECK_MODE: "legacy" }, "CHECK_SERVICE needs CHECK_MODE=network"],
    [{ CHECK_SERVICE: "unit-app", CHECK_CONTAINER: "c" }, "give CHECK_SERVICE or CHECK_CONTAINER, not both"],
  ])("usage errors: %p", async (env, message) => {
    const r = await runCheck("env", { CHECK_ALIAS: "redis", ...env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.calls).toEqual([]);
  });

  test("hosts: CHECK_EXPECTED_SERVICE needs CHECK_NETWORK", async () => {
    const r = await runCheck("hosts", {
      ...SWARM,
      CHECK_SERVICE: "unit-app",
      CHECK_EXPECTED_SERVICE: "unit-redis",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("CHECK_NETWORK is required");
  });
});

describe("checks/run.js http with CHECK_MIN_SERVERS", () => {
  let server: http.Server;
  let url: string;
  let served = 0;
  let replicas = 1;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      served++;
      const body = `This page was generated after talking to redis.\n\nApplication Build: 1\n\nTotal requests: ${served}\n\nIP count: \n`;
      res.writeHead(200, { "X-Served-By": `replica-${served % replicas}`, "Content-Type": "text/plain" });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("three replicas answering: ok, with the count per replica", async () => {
    replicas = 3;
    const r = await runCheck("http", { CHECK_URL: url, CHECK_REQUESTS: "3", CHECK_MIN_SERVERS: "2" });
    expect(r.code).toBe(0);
    const out = result(r);
    expect(out.expected).toContain("answered by at least 2 replicas");
    expect(out.seen).toMatch(/\(3 replicas: replica-\d 1, replica-\d 1, replica-\d 1\)$/);
    expect(out.data.minServers).toBe(2);
    expect(Object.values(out.data.servers)).toEqual([1, 1, 1]);
  });

  test("one replica answering when two are wanted: the check fails and says so", async () => {
    replicas = 1;
    const r = await runCheck("http", { CHECK_URL: url, CHECK_REQUESTS: "4", CHECK_MIN_SERVERS: "2" });
    expect(r.code).toBe(1);
    expect(result(r)).toMatchObject({ ok: false, data: { servers: { "replica-0": 4 }, minServers: 2 } });
    expect(r.stderr).toContain("only 1 replica(s) of the app");
  });

  test("CHECK_MIN_SERVERS above CHECK_REQUESTS is a usage error", async () => {
    const r = await runCheck("http", { CHECK_URL: url, CHECK_REQUESTS: "2", CHECK_MIN_SERVERS: "3" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("CHECK_MIN_SERVERS must be a whole number from 1 to CHECK_REQUESTS (2)");
  });
});

describe("checks/parse.js swarm helpers", () => {
  test("runningTaskAddresses: running tasks' first address on the network, without prefix, sorted", () => {
    const tasks = [
      {
        Status: { State: "running" },
        NetworksAttachments: [{ Network: { Spec: { Name: "net" } }, Addresses: ["10.0.0.9/24"] }],
      },
      {
        Status: { State: "running" },
        NetworksAttachments: [
          { Network: { Spec: { Name: "net" } }, Addresses: ["10.0.0.3/24", "10.0.0.4/24"] },
        ],
      },
      {
        Status: { State: "shutdown" },
        NetworksAttachments: [{ Network: { Spec: { Name: "net" } }, Addresses: ["10.0.0.5/24"] }],
      },
      {
        Status: { State: "running" },
        NetworksAttachments: [{ Network: { Spec: { Name: "other" } }, Addresses: ["10.1.0.5/24"] }],
      },
      { Status: { State: "running" } },
    ];
    expect(runningTaskAddresses(JSON.stringify(tasks), "net")).toEqual(["10.0.0.3", "10.0.0.9"]);
    expect(runningTaskAddresses("not json", "net")).toEqual([]);
    expect(runningTaskAddresses("{}", "net")).toEqual([]);
  });

  test("countServers: responses per X-Served-By, in first-answer order, without the unnamed", () => {
    expect(
      countServers([{ servedBy: "b" }, { servedBy: "a" }, { servedBy: null }, { servedBy: "b" }]),
    ).toEqual({ b: 2, a: 1 });
    expect(Object.keys(countServers([{ servedBy: "b" }, { servedBy: "a" }]))).toEqual(["b", "a"]);
  });
});
