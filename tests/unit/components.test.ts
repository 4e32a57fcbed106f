// Each component built alone under Pulumi's mocks, as the program would build it: what it registers,
// with which inputs, and what it exposes. The expected link variables and hosts line are written out
// by hand (what `docker run --link` gives for that source), not recomputed with lib/links.ts.
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LinkArgs, LinkedContainer } from "../../components/LinkedContainer";
import { RedisServer } from "../../components/RedisServer";
import { CounterApp } from "../../components/CounterApp";
import { RedisCli } from "../../components/RedisCli";
import { RedisPassword } from "../../components/RedisPassword";
import { AppImage, appImageTag, appSourceHash, APP_DIR } from "../../components/AppImage";
import { Verification } from "../../components/Verification";
import {
  COMMAND,
  CONTAINER,
  containerId,
  holdsSecret,
  mockAddress,
  plain,
  programStdout,
  PROJECT,
  recordingMocks,
  registered,
  resolved,
  RUN,
  useMocks,
} from "./mocks";

const registrations = useMocks(pulumi);
const inputsOf = (type: string, name: string) => registered(registrations, type, name).inputs;

const SOURCE = {
  name: "redis-server",
  id: "9b478dd7e8b0" + "0".repeat(52),
  hostname: "9b478dd7e8b0",
  ip: "10.20.30.10",
  exposedPorts: [{ port: 6379, protocol: "tcp" as const }],
  env: ["PATH=/usr/bin", "REDIS_VERSION=7.4.2"],
};
const link = (mode: "legacy" | "network", alias = "redis"): LinkArgs => ({
  source: SOURCE,
  alias,
  mode,
  network: "net-id",
});
const PASSWORD = "0123456789abcdef-hush";

describe("LinkedContainer", () => {
  test("legacy: the link's variables, then the container's own env, and the link's hosts line", async () => {
    const c = new LinkedContainer("web", {
      name: "web",
      image: "img",
      link: link("legacy", "db-main"),
      envs: ["DB_MAIN_NAME=mine", "X=1"],
    });
    await resolved(pulumi, c.ref);
    const inputs = inputsOf(CONTAINER, "web");
    expect(inputs.envs).toEqual([
      "DB_MAIN_PORT=tcp://10.20.30.10:6379",
      "DB_MAIN_PORT_6379_TCP=tcp://10.20.30.10:6379",
      "DB_MAIN_PORT_6379_TCP_ADDR=10.20.30.10",
      "DB_MAIN_PORT_6379_TCP_PORT=6379",
      "DB_MAIN_PORT_6379_TCP_PROTO=tcp",
      "DB_MAIN_ENV_REDIS_VERSION=7.4.2",
      // The container's own DB_MAIN_NAME wins over the link's.
      "DB_MAIN_NAME=mine",
      "X=1",
    ]);
    expect(inputs.hosts).toEqual([{ host: "db-main 9b478dd7e8b0 redis-server", ip: "10.20.30.10" }]);
    expect(inputs.networksAdvanced).toEqual([{ name: "net-id" }]);
    expect(inputs.labels).toEqual([{ label: "container-links.link", value: "redis-server:db-main" }]);
    expect(inputs).toMatchObject({ restart: "unless-stopped", securityOpts: ["no-new-privileges:true"] });
    expect(await resolved(pulumi, c.linkOutputs)).toEqual({
      mode: "legacy",
      alias: "db-main",
      env: {
        DB_MAIN_PORT: "tcp://10.20.30.10:6379",
        DB_MAIN_PORT_6379_TCP: "tcp://10.20.30.10:6379",
        DB_MAIN_PORT_6379_TCP_ADDR: "10.20.30.10",
        DB_MAIN_PORT_6379_TCP_PORT: "6379",
        DB_MAIN_PORT_6379_TCP_PROTO: "tcp",
        DB_MAIN_NAME: "/web/db-main",
        DB_MAIN_ENV_REDIS_VERSION: "7.4.2",
      },
      hosts: ["10.20.30.10\tdb-main 9b478dd7e8b0 redis-server"],
    });
  });

  test("network: no link variables, no hosts line; only the network", async () => {
    const c = new LinkedContainer("web2", {
      name: "web2",
      image: "img",
      link: link("network"),
      envs: ["X=1"],
    });
    await resolved(pulumi, c.ref);
    const inputs = inputsOf(CONTAINER, "web2");
    expect(inputs.envs).toEqual(["X=1"]);
    expect(inputs.hosts ?? []).toEqual([]);
    // The link is labelled in both modes (so the container depends on its source in both).
    expect(inputs.labels).toEqual([{ label: "container-links.link", value: "redis-server:redis" }]);
    expect(await resolved(pulumi, c.linkOutputs)).toEqual({
      mode: "network",
      alias: "redis",
      env: {},
      hosts: [],
    });
  });

  test("files go in as uploads; interactive means a TTY and stdin; the ref and revision follow the container", async () => {
    const c = new LinkedContainer("cli", {
      name: "cli",
      image: "img",
      link: link("network"),
      files: [{ path: "/run/secrets/x", content: pulumi.secret("hush") }],
      interactive: true,
    });
    expect(await resolved(pulumi, c.ref)).toEqual({ container: "cli", id: containerId("cli") });
    const inputs = inputsOf(CONTAINER, "cli");
    expect(holdsSecret(inputs.uploads)).toBe(true);
    expect(plain(inputs.uploads)).toEqual([{ file: "/run/secrets/x", content: "hush" }]);
    expect(inputs).toMatchObject({ tty: true, stdinOpen: true });
    // Network mode and no env of its own: no variables at all.
    expect(inputs.envs).toEqual([]);
    expect(await resolved(pulumi, c.revision)).toMatch(
      new RegExp(`^${containerId("cli")} net-id=10\\.99\\.0\\.\\d+$`),
    );
  });
});

describe("RedisServer", () => {
  const args = (linkMode: "legacy" | "network") => ({
    name: "unit-redis",
    image: "redis:unit",
    network: { name: "unit-net", subnet: "10.20.30.0/24" },
    volume: { name: "unit-data", retain: true },
    alias: "cache",
    linkMode,
    password: pulumi.secret(PASSWORD),
  });

  test.each(["legacy", "network"] as const)(
    "%s: the network, the volume, Redis at the 10th address with AOF and a password file",
    async (mode) => {
      const redis = new RedisServer(`r-${mode}`, args(mode));
      const source = await resolved(pulumi, redis.linkSource);
      expect(inputsOf(COMMAND, `r-${mode}-network`).environment).toMatchObject({
        NAME: "unit-net",
        DRIVER: "bridge",
        ATTACHABLE: "false",
        SUBNET: "10.20.30.0/24",
        GATEWAY: "10.20.30.1",
      });
      // A change of name, subnet or driver replaces the network (so does a new ID, what the look found).
      expect(inputsOf(COMMAND, `r-${mode}-network`).triggers).toEqual([
        "unit-net",
        "10.20.30.0/24",
        "bridge",
        expect.any(String),
      ]);
      expect(inputsOf("docker:index/volume:Volume", `r-${mode}-data`)).toMatchObject({ name: "unit-data" });
      const container = inputsOf(CONTAINER, `r-${mode}`);
      expect(container.command).toEqual([
        "redis-server",
        "/usr/local/etc/redis/auth.conf",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
      ]);
      expect(container.ports ?? []).toEqual([]);
      expect(container.volumes).toEqual([{ volumeName: "unit-data", containerPath: "/data" }]);
      expect(holdsSecret(container.uploads)).toBe(true);
      expect(plain(container.uploads)).toEqual([
        { file: "/usr/local/etc/redis/auth.conf", content: `requirepass ${PASSWORD}\n` },
      ]);
      expect(JSON.stringify(container.command)).not.toContain(PASSWORD);
      expect(container.networksAdvanced).toEqual(
        mode === "legacy"
          ? [{ name: "bridge" }, { name: "unit-net", ipv4Address: "10.20.30.10" }]
          : [{ name: "unit-net", ipv4Address: "10.20.30.10", aliases: ["cache"] }],
      );
      // The link source: the image's env and ports (from `docker image inspect`), the fixed address.
      expect(source).toEqual({
        name: "unit-redis",
        id: containerId(`r-${mode}`),
        hostname: containerId(`r-${mode}`).slice(0, 12),
        ip: "10.20.30.10",
        exposedPorts: [{ port: 6379, protocol: "tcp" }],
        env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "REDIS_VERSION=7.4.2"],
      });
      expect(await resolved(pulumi, redis.address)).toEqual({ ip: "10.20.30.10" });
      // The image's config (its ENV and EXPOSE), read again whenever the image changes.
      expect(inputsOf(COMMAND, `r-${mode}-image-config`)).toMatchObject({
        create: `docker image inspect --format '{{json .Config}}' "$IMAGE"`,
        environment: { IMAGE: "redis:unit-image-id" },
        triggers: ["redis:unit-image-id"],
        logging: "none",
      });
      // The image stays when the stack goes: other stacks and users may run it.
      expect(inputsOf("docker:index/remoteImage:RemoteImage", `r-${mode}-image`)).toMatchObject({
        name: "redis:unit",
        keepLocally: true,
      });
      // Restarted with the engine unless stopped by hand; never gains privileges.
      expect(container).toMatchObject({
        restart: "unless-stopped",
        securityOpts: ["no-new-privileges:true"],
      });
      expect(await resolved(pulumi, redis.checked)).toEqual({
        container: "unit-redis",
        id: containerId(`r-${mode}`),
      });
      expect(await resolved(pulumi, redis.outputs)).toEqual({
        name: "unit-redis",
        id: containerId(`r-${mode}`),
      });
    },
  );

  test("its revision lists its addresses in one order, whatever order the engine reports its networks in", async () => {
    // Legacy mode: on the default bridge first, then on the stack's network, which sorts before it.
    const redis = new RedisServer("r-order", {
      ...args("legacy"),
      network: { name: "a-net", subnet: "10.20.30.0/24" },
    });
    const id = containerId("r-order");
    expect(await resolved(pulumi, redis.revision)).toBe(
      `${id} a-net=10.20.30.10 bridge=${mockAddress("r-order")}`,
    );
  });

  test("its healthcheck: healthy once Redis answers PING, with PONG or, before a login, NOAUTH", async () => {
    await resolved(pulumi, new RedisServer("r-health", args("network")).linkSource);
    const healthcheck = inputsOf(CONTAINER, "r-health").healthcheck as { tests: string[] };
    const [kind, script] = healthcheck.tests;
    expect(kind).toBe("CMD-SHELL");
    // redis-cli stands in for itself: it prints what Redis would answer.
    const answers = (reply: string) => {
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), "redis-cli-"));
      fs.writeFileSync(path.join(bin, "redis-cli"), `#!/bin/sh\necho "${reply}"\n`, { mode: 0o755 });
      try {
        execFileSync("sh", ["-c", script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
        return true;
      } catch {
        return false;
      } finally {
        fs.rmSync(bin, { recursive: true, force: true });
      }
    };
    expect(answers("PONG")).toBe(true);
    expect(answers("NOAUTH Authentication required.")).toBe(true);
    expect(answers("Could not connect to Redis at 127.0.0.1:6379: Connection refused")).toBe(false);
    expect(answers("LOADING Redis is loading the dataset in memory")).toBe(false);
    // Looked at every second, so that what waits for Redis sees it ready within a second.
    expect(healthcheck).toMatchObject({ interval: "1s", timeout: "1s" });
  });
});

describe("CounterApp", () => {
  test("the alias, the password's file and the port in its env; the password only in a file; published", async () => {
    const app = new CounterApp("app", {
      name: "Unit-App",
      image: "app-img",
      port: 3107,
      host: "localhost",
      link: link("legacy"),
      password: pulumi.secret(PASSWORD),
    });
    expect(await resolved(pulumi, app.outputs)).toEqual({ name: "Unit-App", url: "http://localhost:3107/" });
    const inputs = inputsOf(CONTAINER, "app");
    const env = plain(inputs.envs) as string[];
    expect(
      env.filter(
        (e) => !e.startsWith("REDIS_PORT") && !e.startsWith("REDIS_ENV") && !e.startsWith("REDIS_NAME"),
      ),
    ).toEqual(["REDIS_HOST=redis", "REDIS_PASSWORD_FILE=/run/secrets/redis-password", "PORT=3000"]);
    expect(JSON.stringify(plain(inputs.envs))).not.toContain(PASSWORD);
    expect(plain(inputs.uploads)).toEqual([{ file: "/run/secrets/redis-password", content: PASSWORD }]);
    expect(inputs.ports).toEqual([{ internal: 3000, external: 3107 }]);
    expect(app.reachesRedis).toEqual({ mode: "legacy", via: "network DNS" });
  });
});

describe("RedisCli", () => {
  test("redis-cli -h <alias> at a prompt, logged in from the password file, never from its env", async () => {
    const cli = new RedisCli("cli", {
      name: "unit-cli",
      image: "redis-img",
      link: link("network", "cache"),
      password: pulumi.secret(PASSWORD),
    });
    expect(await resolved(pulumi, cli.outputs)).toEqual({
      name: "unit-cli",
      attach: "docker attach unit-cli",
    });
    const inputs = inputsOf(CONTAINER, "cli");
    expect(inputs.command).toEqual([
      "sh",
      "-c",
      'stty cols 80 rows 24 2>/dev/null; REDISCLI_AUTH="$(cat "$1")" exec redis-cli -h "$2"',
      "redis-cli",
      "/run/secrets/redis-password",
      "cache",
    ]);
    expect(inputs).toMatchObject({ tty: true, stdinOpen: true, init: true });
    expect(JSON.stringify(plain(inputs.envs))).not.toContain(PASSWORD);
    expect(plain(inputs.uploads)).toEqual([{ file: "/run/secrets/redis-password", content: PASSWORD }]);
    expect(cli.checked.passwordFile).toBe("/run/secrets/redis-password");
  });
});

describe("what the engine may leave out", () => {
  // An image built FROM scratch has `"Env": null` (and no ports) in `docker image inspect`; a
  // container on no network has no network data.
  beforeAll(() =>
    pulumi.runtime.setMocks(
      recordingMocks(registrations, (name, inputs) =>
        name.endsWith("-image-config") ? '{"Env":null,"ExposedPorts":null}' : programStdout(name, inputs),
      ),
      PROJECT,
      "unit",
      false,
    ),
  );
  afterAll(() => pulumi.runtime.setMocks(recordingMocks(registrations), PROJECT, "unit", false));

  test("an image with no ENV and no EXPOSE: the link source has no variables and no ports to copy", async () => {
    const redis = new RedisServer("r-scratch", {
      name: "scratch-redis",
      image: "scratch-redis:unit",
      network: { name: "unit-net", subnet: "10.20.30.0/24" },
      volume: { name: "unit-data", retain: true },
      alias: "cache",
      linkMode: "legacy",
    });
    expect(await resolved(pulumi, redis.linkSource)).toMatchObject({ exposedPorts: [], env: [] });
  });
});

describe("without a password (redisAuth none)", () => {
  test("Redis: no password file, and protected mode off so that other containers get in", async () => {
    const redis = new RedisServer("r-open", {
      name: "open-redis",
      image: "redis:unit",
      network: { name: "unit-net", subnet: "10.20.30.0/24" },
      volume: { name: "unit-data", retain: true },
      alias: "cache",
      linkMode: "network",
    });
    await resolved(pulumi, redis.linkSource);
    const container = inputsOf(CONTAINER, "r-open");
    // Redis's own flags: AOF fsynced every second, and `--protected-mode no`.
    expect(container.command).toEqual([
      "redis-server",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--protected-mode",
      "no",
    ]);
    expect(container.uploads ?? []).toEqual([]);
  });

  test("the app: no password file, and no variable naming one", async () => {
    const app = new CounterApp("app-open", {
      name: "open",
      image: "app-img",
      port: 3107,
      host: "localhost",
      link: link("network"),
    });
    await resolved(pulumi, app.checked);
    const inputs = inputsOf(CONTAINER, "app-open");
    expect(inputs.envs).toEqual(["REDIS_HOST=redis", "PORT=3000"]);
    expect(inputs.uploads ?? []).toEqual([]);
  });

  test("redis-cli: the prompt without a login", async () => {
    const cli = new RedisCli("cli-open", {
      name: "open-cli",
      image: "redis-img",
      link: link("network", "cache"),
    });
    await resolved(pulumi, cli.checked.ref);
    const inputs = inputsOf(CONTAINER, "cli-open");
    expect(inputs.command).toEqual([
      "sh",
      "-c",
      'stty cols 80 rows 24 2>/dev/null; exec redis-cli -h "$1"',
      "redis-cli",
      "cache",
    ]);
    expect(inputs.uploads ?? []).toEqual([]);
    expect(cli.checked).not.toHaveProperty("passwordFile");
  });
});

describe("RedisPassword", () => {
  test("none configured: a secret, the stdout of a command that logs nothing and is kept encrypted", async () => {
    const p = new RedisPassword("pw", {});
    expect(await resolved(pulumi, pulumi.isSecret(p.value))).toBe(true);
    const generator = inputsOf(COMMAND, "pw-generated");
    expect(generator).toMatchObject({ logging: "none" });
    // Wiring: the password is what the generator printed (under mocks, their stand-in output).
    expect(await resolved(pulumi, pulumi.unsecret(p.value))).toBe(programStdout("pw-generated", {}));
    // The generator itself, run for real: 24 random bytes as 48 hex digits, new on every run.
    const run = () => execFileSync("sh", ["-c", String(generator.create)], { encoding: "utf8" });
    const [first, second] = [run(), run()];
    expect(first).toMatch(/^[0-9a-f]{48}$/);
    expect(second).toMatch(/^[0-9a-f]{48}$/);
    expect(second).not.toBe(first);
  });

  test("a configured one wins, and the generated one is kept for when it is removed", async () => {
    const p = new RedisPassword("pw2", { configured: pulumi.secret("configured-password-123") });
    expect(await resolved(pulumi, pulumi.isSecret(p.value))).toBe(true);
    expect(await resolved(pulumi, pulumi.unsecret(p.value))).toBe("configured-password-123");
    expect(inputsOf(COMMAND, "pw2-generated")).toBeDefined();
  });
});

describe("AppImage", () => {
  test("tagged by app/'s sources and the base image, owned by a command that removes the tag with the stack", async () => {
    const image = new AppImage("img", { appName: "Unit-App", nodeImage: "node:unit" });
    await resolved(pulumi, image.imageId);
    const tag = appImageTag("Unit-App", "node:unit");
    // Built from app/ at the repository root.
    expect(APP_DIR).toBe(path.join(__dirname, "..", "..", "app"));
    expect(tag).toMatch(/^container-links\/unit-app:[0-9a-f]{12}$/);
    // Another base image is another image; the same inputs, the same tag.
    expect(appImageTag("Unit-App", "node:other")).not.toBe(tag);
    expect(appImageTag("Unit-App", "node:unit")).toBe(tag);
    const environment = { TAG: tag, NODE_IMAGE: "node:unit", CONTEXT: APP_DIR, SERVICE: "Unit-App" };
    expect(registered(registrations, RUN, RUN).inputs).toMatchObject({ environment });
    const owner = inputsOf(COMMAND, "img");
    expect(owner).toMatchObject({ environment: { ...environment, CREATE: "yes" } });
    expect((owner.triggers as unknown[])[0]).toBe(tag);
    expect(owner.delete).toContain('docker image rm "$TAG"');
  });
});

describe("appSourceHash: what goes into the app image", () => {
  // A copy of app/'s shape in a scratch folder: each edit that changes the image changes the hash.
  const fs = jest.requireActual<typeof import("fs")>("fs");
  const os = jest.requireActual<typeof import("os")>("os");
  const path = jest.requireActual<typeof import("path")>("path");
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-hash-"));
    for (const [file, text] of Object.entries({
      "server.js": "a",
      Dockerfile: "FROM x",
      ".dockerignore": "test",
      "package.json": "{}",
      "package-lock.json": "{}",
      "README.md": "r",
    })) {
      fs.writeFileSync(path.join(dir, file), text);
    }
    fs.mkdirSync(path.join(dir, "test"));
    fs.writeFileSync(path.join(dir, "test", "x.test.js"), "t");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("12 hex digits, the same for the same sources", () => {
    expect(appSourceHash(dir)).toMatch(/^[0-9a-f]{12}$/);
    expect(appSourceHash(dir)).toBe(appSourceHash(dir));
  });

  test("the SHA-256 of each file's name and content, each ended by a NUL, in name order", () => {
    // Written out by hand: README.md and test/ are left out.
    const hashed =
      ".dockerignore\0test\0Dockerfile\0FROM x\0package-lock.json\0{}\0package.json\0{}\0server.js\0a\0";
    const expected = crypto.createHash("sha256").update(hashed).digest("hex").slice(0, 12);
    expect(appSourceHash(dir)).toBe(expected);
  });

  test("the same whatever order the file system lists the files in", () => {
    const before = appSourceHash(dir);
    const reversed = fs.readdirSync(dir).reverse();
    const listing = jest.spyOn(fs, "readdirSync").mockReturnValue(reversed as never);
    try {
      expect(appSourceHash(dir)).toBe(before);
    } finally {
      listing.mockRestore();
    }
  });

  test.each(["server.js", "Dockerfile", ".dockerignore", "package.json", "package-lock.json"])(
    "an edit of %s is a new image",
    (file) => {
      const before = appSourceHash(dir);
      fs.appendFileSync(path.join(dir, file), "\n");
      expect(appSourceHash(dir)).not.toBe(before);
    },
  );

  test("a new .js file is a new image; its name counts, not only its content", () => {
    const before = appSourceHash(dir);
    fs.writeFileSync(path.join(dir, "extra.js"), "");
    const withExtra = appSourceHash(dir);
    expect(withExtra).not.toBe(before);
    fs.renameSync(path.join(dir, "extra.js"), path.join(dir, "other.js"));
    expect(appSourceHash(dir)).not.toBe(withExtra);
  });

  test("the tests and other files are not in the image: editing them changes nothing", () => {
    const before = appSourceHash(dir);
    fs.appendFileSync(path.join(dir, "README.md"), "more");
    fs.appendFileSync(path.join(dir, "test", "x.test.js"), "more");
    expect(appSourceHash(dir)).toBe(before);
  });

  test("moving bytes between two files is a new image (the files are kept apart in the hash)", () => {
    fs.writeFileSync(path.join(dir, "a.js"), "xy");
    fs.writeFileSync(path.join(dir, "b.js"), "");
    const before = appSourceHash(dir);
    fs.writeFileSync(path.join(dir, "a.js"), "x");
    fs.writeFileSync(path.join(dir, "b.js"), "y");
    expect(appSourceHash(dir)).not.toBe(before);
  });
});

describe("Verification", () => {
  const out = <T>(value: T) => pulumi.output(value);
  const args = (mode: "legacy" | "network") => ({
    alias: "redis",
    dataStore: {
      linkSource: out(SOURCE),
      address: out({ ip: "10.20.30.10" }),
      checked: out({ container: "redis-server", id: "r1" }),
      revision: out("r1 net=10.20.30.10"),
    },
    app: {
      checked: out({ container: "web", id: "a1" }),
      reachesRedis: { mode, via: "network DNS" },
      url: "http://localhost:3107/",
      revision: out("a1 net=10.20.30.11"),
    },
    probe: { ref: out({ container: "probe", id: "p1" }), revision: out("p1") },
    cli: { ref: out({ container: "cli", id: "c1" }), revision: out("c1"), passwordFile: "/run/secrets/x" },
    requests: 4,
    timeoutSeconds: 9,
  });
  const specOf = (name: string) =>
    JSON.parse((plain(inputsOf(COMMAND, name).environment) as { CHECK_SPEC: string }).CHECK_SPEC);

  test("a port published on another machine (DOCKER_HOST tcp:// or ssh://) is requested there", async () => {
    const base = args("network");
    new Verification("remote", { ...base, app: { ...base.app, url: "http://192.168.231.11:3107/" } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(specOf("remote-http").url).toBe("http://192.168.231.11:3107/");
  });

  test("legacy: the app is expected to have the link under the configured alias, computed from Redis", async () => {
    const v = new Verification("v", args("legacy"));
    const results = await resolved(pulumi, v.results);
    expect(specOf("v-env").expected).toMatchObject({
      REDIS_NAME: "/web/redis",
      REDIS_PORT: "tcp://10.20.30.10:6379",
    });
    expect(specOf("v-hosts").expected).toEqual({
      line: { ip: "10.20.30.10", names: ["redis", "9b478dd7e8b0", "redis-server"] },
    });
    expect(specOf("v-http")).toEqual({
      check: "http",
      timeoutSeconds: 9,
      url: "http://127.0.0.1:3107/",
      requests: 4,
      app: { container: "web", id: "a1" },
      source: { container: "redis-server", id: "r1" },
    });
    // Each check re-runs when Redis or what it looks at changes.
    for (const check of ["env", "hosts", "http"]) {
      expect(inputsOf(COMMAND, `v-${check}`).triggers).toEqual(["r1 net=10.20.30.10", "a1 net=10.20.30.11"]);
    }
    expect(inputsOf(COMMAND, "v-ping").triggers).toEqual(["r1 net=10.20.30.10", "p1"]);
    expect(inputsOf(COMMAND, "v-keys").triggers).toEqual(["r1 net=10.20.30.10", "c1"]);
    expect(specOf("v-ping")).toMatchObject({
      check: "ping",
      in: { container: "probe", id: "p1" },
      alias: "redis",
      address: { ip: "10.20.30.10" },
    });
    // redis-cli logs in with the file it was given.
    expect(specOf("v-keys")).toMatchObject({
      in: { container: "cli", id: "c1" },
      passwordFile: "/run/secrets/x",
    });
    // Each check is checks/run.js run with its spec; what it says on stderr is logged.
    for (const check of ["env", "hosts", "ping", "http", "keys"]) {
      const cmd = inputsOf(COMMAND, `v-${check}`);
      expect(cmd).toMatchObject({ create: 'node "$CHECKS_RUN"', logging: "stderr" });
      expect((cmd.environment as { CHECKS_RUN: string }).CHECKS_RUN).toBe(
        path.join(__dirname, "..", "..", "checks", "run.js"),
      );
    }
    // The env check tells the link's variables from the container's own by the alias's prefix.
    const { linkVars } = specOf("v-env") as { linkVars: { prefix: string; pattern: string } };
    expect(linkVars.prefix).toBe("REDIS");
    const pattern = new RegExp(linkVars.pattern);
    for (const key of ["REDIS_PORT", "REDIS_PORT_6379_TCP_ADDR", "REDIS_NAME", "REDIS_ENV_REDIS_VERSION"]) {
      expect(pattern.test(key)).toBe(true);
    }
    for (const key of ["REDIS_HOST", "REDIS_PASSWORD_FILE", "PORT"]) expect(pattern.test(key)).toBe(false);
    expect(results.ok).toBe(true);
    expect(await resolved(pulumi, v.redisAddress)).toBe("10.20.30.10");
  });

  test("network: no variables expected, and the alias must resolve to Redis's address", async () => {
    const v = new Verification("w", args("network"));
    await resolved(pulumi, v.results);
    expect(specOf("w-env")).toMatchObject({ expected: {}, noneBecause: "network DNS" });
    expect(specOf("w-hosts").expected).toEqual({ resolvesTo: { ip: "10.20.30.10" }, via: "network DNS" });
  });
});
