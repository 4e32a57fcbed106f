// The swarm target's components built alone under Pulumi's mocks: Redis and the app as services on an
// attachable overlay, the password as swarm secrets, and the two ways of publishing the app.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { SwarmRedis } from "../../components/swarm/SwarmRedis";
import { SwarmApp } from "../../components/swarm/SwarmApp";
import { SwarmGateway } from "../../components/swarm/SwarmGateway";
import { stackService } from "../../components/swarm/service";
import { COMMAND, holdsSecret, plain, registered, resolved, useMocks } from "./mocks";

const registrations = useMocks(pulumi);
const SERVICE = "docker:index/service:Service";
const SECRET = "docker:index/secret:Secret";
const PASSWORD = "0123456789abcdef-hush";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const service = (name: string) => plain(registered(registrations, SERVICE, name).inputs) as any;

describe("SwarmRedis", () => {
  let redis: SwarmRedis;
  beforeEach(async () => {
    redis = new SwarmRedis("redis", {
      name: "unit-redis",
      image: "redis:unit",
      network: { name: "unit-overlay", subnet: "10.20.30.0/24" },
      volume: { name: "unit-data", retain: true },
      alias: "cache",
      password: pulumi.secret(PASSWORD),
      readyTimeoutSeconds: 42,
    });
    await resolved(pulumi, redis.revision);
  });

  test("an attachable overlay with the subnet, and the data volume", () => {
    expect(registered(registrations, COMMAND, "redis-network").inputs.environment).toMatchObject({
      NAME: "unit-overlay",
      DRIVER: "overlay",
      ATTACHABLE: "true",
      SUBNET: "10.20.30.0/24",
      GATEWAY: "10.20.30.1",
    });
    expect(registered(registrations, "docker:index/volume:Volume", "redis-data").inputs).toMatchObject({
      name: "unit-data",
    });
  });

  test("one replica on the volume with AOF, pinned to this node, the alias on the overlay, dnsrr", () => {
    const s = service("redis");
    expect(s).toMatchObject({
      name: "unit-redis",
      mode: { replicated: { replicas: 1 } },
      endpointSpec: { mode: "dnsrr" },
    });
    const spec = s.taskSpec.containerSpec;
    expect(spec.args).toEqual([
      "redis-server",
      "/run/secrets/redis-auth.conf",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
    ]);
    expect(spec.mounts).toEqual([{ type: "volume", source: "unit-data", target: "/data" }]);
    expect(s.taskSpec.placement).toEqual({ constraints: ["node.id==node-id-1"] });
    expect(s.taskSpec.networksAdvanceds).toEqual([{ id: "redis-network-id", aliases: ["cache"] }]);
    // Never two Redis on one AOF, and a failed update waits for a person rather than going on.
    expect(s.updateConfig).toEqual({ parallelism: 1, order: "stop-first", failureAction: "pause" });
    expect(s.convergeConfig).toEqual({ delay: "1s", timeout: "42s" });
  });

  test("what every service of the stack shares: its label, restarts whatever ends a task, 30 s to stop", () => {
    const s = service("redis");
    // project/stack, so that the stack's objects can be told from others on the swarm.
    expect(s.labels).toEqual([{ label: "container-links.stack", value: "container-links/unit" }]);
    expect(s.taskSpec.restartPolicy).toEqual({ condition: "any", delay: "1s", window: "0s" });
    expect(s.taskSpec.containerSpec).toMatchObject({ env: {}, sysctl: {}, stopGracePeriod: "30s" });
    expect(registered(registrations, SECRET, "redis-auth").inputs.labels).toEqual(s.labels);
  });

  test("the node lookup: this engine's node ID on a swarm manager, else a failure that says what to do", () => {
    const lookup = registered(registrations, COMMAND, "redis-node").inputs;
    expect(lookup.logging).toBe("stderr");
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "swarm-node-"));
    try {
      const info = (answer: string) => {
        fs.writeFileSync(path.join(bin, "docker"), `#!/bin/sh\necho "${answer}"\n`, { mode: 0o755 });
        return spawnSync("sh", ["-c", String(lookup.create)], {
          encoding: "utf8",
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        });
      };
      // `docker info`'s Swarm.LocalNodeState, Swarm.ControlAvailable and Swarm.NodeID.
      const manager = info("active true node-abc");
      expect(manager.status).toBe(0);
      expect(manager.stdout).toBe("node-abc\n");
      for (const state of ["inactive false ", "active false node-abc"]) {
        const other = info(state);
        expect(other.status).toBe(1);
        expect(other.stdout).toBe("");
        expect(other.stderr).toContain("the Docker engine must be a swarm manager");
        expect(other.stderr).toContain(`docker info says: ${state}`);
      }
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test("the password: a swarm secret file named after a digest, never in the service's spec", () => {
    const secret = registered(registrations, SECRET, "redis-auth").inputs;
    expect(holdsSecret(secret.data)).toBe(true);
    const { name, data } = plain(secret) as { name: string; data: string };
    expect(Buffer.from(data, "base64").toString()).toBe(`requirepass ${PASSWORD}\n`);
    expect(name).toMatch(/^unit-redis-auth-[0-9a-f]{12}$/);
    const s = service("redis");
    expect(s.taskSpec.containerSpec.secrets).toEqual([
      { secretId: "redis-auth-id", secretName: name, fileName: "redis-auth.conf" },
    ]);
    expect(JSON.stringify(s)).not.toContain(PASSWORD);
  });

  test("checks find Redis by service and network; a link takes only its name", async () => {
    // The `redis` stack output: the service by its name and the ID the engine gave it.
    expect(await resolved(pulumi, redis.outputs)).toEqual({
      name: "unit-redis",
      id: await resolved(pulumi, redis.service.id),
    });
    expect(await resolved(pulumi, redis.address)).toEqual({ service: "unit-redis", network: "unit-overlay" });
    expect(await resolved(pulumi, redis.checked)).toEqual({ service: "unit-redis", id: "redis-id" });
    expect(await resolved(pulumi, redis.linkSource)).toEqual({
      name: "unit-redis",
      id: "redis-id",
      ip: "",
      exposedPorts: [],
      env: [],
    });
  });
});

describe.each(["ingress", "gateway"] as const)("SwarmApp publishing through %s", (publish) => {
  let app: SwarmApp;
  beforeEach(async () => {
    app = new SwarmApp("app", {
      name: "unit-app",
      image: "app-img",
      port: 3107,
      host: "localhost",
      link: {
        source: { name: "unit-redis", id: "r", ip: "", exposedPorts: [], env: [] },
        alias: "cache",
        mode: "network",
        network: "overlay-id",
      },
      password: pulumi.secret(PASSWORD),
      replicas: 3,
      publish,
      gatewayImage: "node:unit",
      readyTimeoutSeconds: 42,
    });
    await resolved(pulumi, app.revision);
  });

  test("replicas on the overlay, the password as a swarm secret file, rolling updates start-first", () => {
    const s = service("app");
    expect(s).toMatchObject({ name: "unit-app", mode: { replicated: { replicas: 3 } } });
    expect(s.taskSpec.containerSpec.env).toEqual({
      REDIS_HOST: "cache",
      REDIS_PASSWORD_FILE: "/run/secrets/redis-password",
      PORT: "3000",
    });
    const { name } = plain(registered(registrations, SECRET, "app-password").inputs) as { name: string };
    expect(s.taskSpec.containerSpec.secrets).toEqual([
      { secretId: "app-password-id", secretName: name, fileName: "redis-password" },
    ]);
    expect(JSON.stringify(s)).not.toContain(PASSWORD);
    expect(s.taskSpec.networksAdvanceds).toEqual([{ id: "overlay-id" }]);
    // One task at a time, the new one started (and healthy for 5 s) before the old one stops; any
    // failed task rolls the update back, the same way round.
    expect(s.updateConfig).toEqual({
      parallelism: 1,
      order: "start-first",
      delay: "1s",
      failureAction: "rollback",
      monitor: "5s",
      maxFailureRatio: "0",
    });
    expect(s.rollbackConfig).toEqual({
      parallelism: 1,
      order: "start-first",
      failureAction: "pause",
      monitor: "5s",
    });
    // The app stops at once on SIGTERM; 10 s bounds one that does not.
    expect(s.taskSpec.containerSpec.stopGracePeriod).toBe("10s");
    expect(name).toMatch(/^unit-app-password-[0-9a-f]{12}$/);
    expect(app.replicas).toBe(3);
    expect(app.reachesRedis).toEqual({ mode: "network", via: "swarm: DNS on the overlay, no link env vars" });
  });

  test("its URL names the machine it is published on", async () => {
    const remote = new SwarmApp("remote", {
      name: "remote-app",
      image: "app-img",
      port: 3107,
      host: "manager-1.example.com",
      link: {
        source: { name: "r", id: "r", ip: "", exposedPorts: [], env: [] },
        alias: "cache",
        mode: "network",
        network: "overlay-id",
      },
      replicas: 2,
      publish,
      gatewayImage: "node:unit",
      readyTimeoutSeconds: 5,
    });
    expect(remote.url).toBe("http://manager-1.example.com:3107/");
    expect((await resolved(pulumi, remote.outputs)).url).toBe("http://manager-1.example.com:3107/");
  });

  test("its outputs: the service, its URL and replicas; the link is the alias on the overlay, nothing more", async () => {
    expect(app.url).toBe("http://localhost:3107/");
    expect(await resolved(pulumi, app.checked)).toEqual({ service: "unit-app", id: "app-id" });
    expect(await resolved(pulumi, app.outputs)).toEqual({
      name: "unit-app",
      url: "http://localhost:3107/",
      replicas: 3,
    });
    expect(await resolved(pulumi, app.link)).toEqual({
      mode: "network",
      alias: "cache",
      env: {},
      hosts: [],
      note: "swarm: DNS on the overlay, no link env vars",
    });
  });

  test(
    publish === "ingress"
      ? "the routing mesh publishes the port"
      : "a one-replica gateway publishes it in host mode",
    () => {
      const gateways = registrations.filter((r) => r.type === SERVICE && r.name === "app-gateway");
      if (publish === "ingress") {
        expect(service("app").endpointSpec).toEqual({
          mode: "vip",
          ports: [{ targetPort: 3000, publishedPort: 3107, publishMode: "ingress" }],
        });
        expect(gateways).toEqual([]);
        return;
      }
      expect(service("app").endpointSpec).toEqual({ mode: "dnsrr" });
      const gateway = service("app-gateway");
      expect(gateway).toMatchObject({
        name: "unit-app-gateway",
        mode: { replicated: { replicas: 1 } },
        endpointSpec: {
          mode: "dnsrr",
          ports: [{ targetPort: 3000, publishedPort: 3107, publishMode: "host" }],
        },
      });
      const spec = gateway.taskSpec.containerSpec;
      expect(spec.image).toBe("node:unit-image-id");
      expect(spec.commands).toEqual(["node", "/gateway/gateway.js"]);
      expect(spec.env).toEqual({
        UPSTREAM_HOST: "tasks.unit-app",
        UPSTREAM_PORT: "3000",
        LISTEN_PORT: "3000",
      });
      const script = registered(
        registrations,
        "docker:index/serviceConfig:ServiceConfig",
        "app-gateway-script",
      ).inputs as { name: string; data: string };
      const source = fs.readFileSync(path.join(__dirname, "..", "..", "images", "gateway", "gateway.js"));
      expect(Buffer.from(script.data, "base64").equals(source)).toBe(true);
      // Configs cannot change: named after the script's digest, a new script is a new config.
      const digest = crypto.createHash("sha256").update(source).digest("hex");
      expect(script.name).toBe(`unit-app-gateway-${digest.slice(0, 12)}`);
      // On the app's overlay; the Node image is kept when the stack goes, as Redis's is.
      expect(gateway.taskSpec.networksAdvanceds).toEqual([{ id: "overlay-id" }]);
      expect(
        registered(registrations, "docker:index/remoteImage:RemoteImage", "app-gateway-image").inputs,
      ).toMatchObject({ name: "node:unit", keepLocally: true });
      expect(spec.configs).toEqual([
        { configId: "app-gateway-script-id", configName: script.name, fileName: "/gateway/gateway.js" },
      ]);
      // On the node the stack talks to, where the app's URL points: the same node lookup as Redis's.
      expect(gateway.taskSpec.placement).toEqual({ constraints: ["node.id==node-id-1"] });
      expect(registered(registrations, COMMAND, "app-gateway-node").inputs.create).toContain(
        "{{.Swarm.NodeID}}",
      );
    },
  );
});

describe("SwarmGateway alone", () => {
  test("runs the forwarder as a config on the Node image, published in host mode", async () => {
    const gateway = new SwarmGateway("gw", {
      name: "g",
      image: "node:unit",
      network: "overlay-id",
      upstream: "tasks.app",
      port: 3999,
      readyTimeoutSeconds: 5,
    });
    await resolved(pulumi, gateway.service.id);
    expect(service("gw")).toMatchObject({
      name: "g",
      endpointSpec: { ports: [{ publishedPort: 3999, publishMode: "host" }] },
    });
    expect(service("gw").taskSpec.containerSpec).toMatchObject({
      user: "1000:1000",
      env: { UPSTREAM_HOST: "tasks.app" },
    });
  });
});

test("a service given no container settings still gets the shared ones", async () => {
  const s = stackService(
    "bare",
    {
      name: "bare",
      image: "img",
      replicas: 1,
      network: { id: "overlay-id" },
      endpointSpec: { mode: "dnsrr" },
      readyTimeoutSeconds: 5,
    },
    {},
  );
  await resolved(pulumi, s.id);
  expect(service("bare").taskSpec.containerSpec).toEqual({
    image: "img",
    env: {},
    sysctl: {},
    stopGracePeriod: "30s",
  });
});
