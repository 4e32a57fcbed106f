// The whole program (index.ts and its components) under Pulumi's mocks, once per link mode: which
// resources it registers, with which inputs, and what it exports. Mocks never run commands, so the
// mock answers for them: the Redis image's config, the app image build and the five checks. The
// expected link variables and hosts line are written out by hand (what `docker run --link` gives
// for that image config), not recomputed with lib/links.ts.
import * as crypto from "crypto";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isLinkVar } from "../../lib/links";
import {
  COMMAND,
  CONTAINER,
  containerId,
  LoadedProgram,
  Program,
  loadProgram as loadProgramWith,
  recordingMocks,
  Registration,
  registered,
  resolved,
} from "./program";

const APP_IMAGE_ID = `sha256:${crypto.createHash("sha256").update("app image").digest("hex")}`;

// `docker image inspect --format '{{json .Config}}' redis:7.0`, cut down to what a link copies.
const REDIS_IMAGE_CONFIG = {
  Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "REDIS_VERSION=7.0.15"],
  ExposedPorts: { "6379/tcp": {} },
  Cmd: ["redis-server"],
};

const CHECKS = ["env", "hosts", "ping", "http", "keys"] as const;

/** checks/run.js's one line of JSON for a passed check. */
function checkResult(check: string) {
  return { check, ok: true, expected: `expected ${check}`, seen: `seen ${check}`, data: { mocked: check } };
}

/** The stdout of each command the program may create; any other command fails the registration. */
function commandStdout(name: string): string {
  if (name === "redis-server-image-config") return JSON.stringify(REDIS_IMAGE_CONFIG);
  if (name === "counter-app-image") return APP_IMAGE_ID;
  const check = /^verify-(.+)$/.exec(name)?.[1];
  if (check && (CHECKS as readonly string[]).includes(check)) return JSON.stringify(checkResult(check));
  throw new Error(`no mock stdout for command ${name}`);
}

/**
 * Waits until the SDK's queue of outstanding RPCs (resource registrations among them) is empty.
 * waitForRPCs is exported at run time but marked @internal, so it is not in the typings.
 */
function waitForRPCs(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== "function") {
    throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs");
  }
  return runtime.waitForRPCs();
}

function loadProgram(config: Record<string, string>, registrations: Registration[] = []) {
  return loadProgramWith(config, recordingMocks(commandStdout), { registrations });
}

// Every name differs from the defaults, so each value seen below came from the config.
const NAMES = {
  redisName: "unit-redis",
  appName: "Unit-App",
  cliName: "unit-cli",
  probeName: "unit-probe",
  networkName: "unit-net",
  dataVolume: "unit-data",
};
const SUBNET = "10.20.30.0/24";
const REDIS_ADDRESS = "10.20.30.10";
const APP_PORT = 3107;

const MODES = [
  { linkMode: "legacy", alias: "redis" },
  { linkMode: "network", alias: "cache" },
] as const;

describe.each(MODES)("the program with linkMode $linkMode (alias $alias)", ({ linkMode, alias }) => {
  const legacy = linkMode === "legacy";
  const redisId = containerId("redis-server");
  const redisHostname = redisId.slice(0, 12);
  const prefix = alias.toUpperCase();

  /** What `docker run --link unit-redis:<alias>` gives a container named `parent` (legacy mode). */
  const linkVars = (parent: string): string[] =>
    legacy
      ? [
          `${prefix}_PORT=tcp://${REDIS_ADDRESS}:6379`,
          `${prefix}_PORT_6379_TCP=tcp://${REDIS_ADDRESS}:6379`,
          `${prefix}_PORT_6379_TCP_ADDR=${REDIS_ADDRESS}`,
          `${prefix}_PORT_6379_TCP_PORT=6379`,
          `${prefix}_PORT_6379_TCP_PROTO=tcp`,
          `${prefix}_NAME=/${parent}/${alias}`,
          `${prefix}_ENV_REDIS_VERSION=7.0.15`,
        ]
      : [];
  const linkVarMap = (parent: string) =>
    Object.fromEntries(linkVars(parent).map((e) => e.split(/=(.*)/s, 2)));
  const hostsEntries = legacy ? [{ host: `${alias} ${redisHostname} unit-redis`, ip: REDIS_ADDRESS }] : [];

  let loaded: LoadedProgram;
  let verification: pulumi.Unwrap<Program["verification"]>;
  const container = (name: string) => registered(loaded.registrations, CONTAINER, name).inputs;
  const command = (name: string) => registered(loaded.registrations, COMMAND, name).inputs;
  const linkVarsIn = (envs: unknown) => (envs as string[]).filter((e) => isLinkVar(alias, e.split("=")[0]));

  beforeAll(async () => {
    loaded = await loadProgram({
      linkMode,
      linkAlias: alias,
      ...NAMES,
      networkSubnet: SUBNET,
      appPort: String(APP_PORT),
      checkRequests: "5",
      readyTimeoutSeconds: "42",
    });
    // The verification output depends on every container, so once it resolves all are registered.
    verification = await resolved(loaded.pulumi, loaded.program.verification);
  }, 60_000);

  test("the stack network, with the configured subnet, and the data volume", () => {
    expect(
      registered(loaded.registrations, "docker:index/network:Network", "redis-server-network").inputs,
    ).toMatchObject({
      name: "unit-net",
      driver: "bridge",
      ipamConfigs: [{ subnet: SUBNET }],
    });
    expect(
      registered(loaded.registrations, "docker:index/volume:Volume", "redis-server-data").inputs,
    ).toMatchObject({
      name: "unit-data",
    });
  });

  test("redis-server: AOF on the volume, never published, on the stack network at the fixed address", () => {
    const redis = container("redis-server");
    expect(redis.name).toBe("unit-redis");
    expect(redis.image).toBe("redis:7.0-image-id");
    expect(redis.ports ?? []).toEqual([]);
    expect(redis.command).toEqual([
      "redis-server",
      "--protected-mode",
      "no",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
    ]);
    expect(redis.volumes).toEqual([{ volumeName: "unit-data", containerPath: "/data" }]);
    expect(redis.restart).toBe("unless-stopped");
    expect(redis.networksAdvanced).toEqual(
      legacy
        ? [{ name: "bridge" }, { name: "unit-net", ipv4Address: REDIS_ADDRESS }]
        : [{ name: "unit-net", ipv4Address: REDIS_ADDRESS, aliases: [alias] }],
    );
  });

  test("the image config command inspects the Redis image", () => {
    expect(command("redis-server-image-config")).toMatchObject({
      environment: { IMAGE: "redis:7.0-image-id" },
      triggers: ["redis:7.0-image-id"],
    });
  });

  test("the app: built image, port appPort→3000, link vars only in legacy mode, hosts line", () => {
    const build = command("counter-app-image");
    expect(build.environment).toMatchObject({
      TAG: expect.stringMatching(/^container-links\/unit-app:[0-9a-f]{12}$/),
    });

    const app = container("counter-app");
    expect(app.name).toBe("Unit-App");
    expect(app.image).toBe(APP_IMAGE_ID);
    expect(app.ports).toEqual([{ internal: 3000, external: APP_PORT }]);
    expect(linkVarsIn(app.envs)).toEqual(linkVars("Unit-App"));
    expect(app.envs).toEqual([...linkVars("Unit-App"), `REDIS_HOST=${alias}`, "PORT=3000"]);
    expect(app.hosts ?? []).toEqual(hostsEntries);
    expect(app.networksAdvanced).toEqual([{ name: "unit-net" }]);
    expect(app.restart).toBe("unless-stopped");
  });

  test("redis-cli: redis-cli -h <alias> with a TTY and stdin open, linked like the app", () => {
    const cli = container("redis-cli");
    expect(cli.name).toBe("unit-cli");
    expect(cli.image).toBe("redis:7.0-image-id");
    // redis-cli -h <alias>, behind a shell that gives the detached TTY a size first.
    expect(cli.command).toEqual([
      "sh",
      "-c",
      'stty cols 80 rows 24 2>/dev/null; exec redis-cli -h "$1"',
      "redis-cli",
      alias,
    ]);
    expect(cli.tty).toBe(true);
    expect(cli.stdinOpen).toBe(true);
    expect(cli.envs).toEqual(linkVars("unit-cli"));
    expect(cli.hosts ?? []).toEqual(hostsEntries);
    expect(cli.networksAdvanced).toEqual([{ name: "unit-net" }]);
  });

  test("the probe: busybox sleeping, linked like the app", () => {
    const probe = container("link-probe");
    expect(probe.name).toBe("unit-probe");
    expect(probe.image).toBe("busybox:1.35-image-id");
    expect(probe.command).toEqual(["sleep", "2147483647"]);
    expect(probe.envs ?? []).toEqual(linkVars("unit-probe"));
    expect(probe.hosts ?? []).toEqual(hostsEntries);
    expect(probe.networksAdvanced).toEqual([{ name: "unit-net" }]);
  });

  test("the five checks get their expectations through the environment", () => {
    const common = {
      CHECKS_RUN: path.resolve(__dirname, "..", "..", "checks", "run.js"),
      CHECK_ALIAS: alias,
      CHECK_MODE: linkMode,
      CHECK_TIMEOUT_SECONDS: "42",
    };
    const appId = containerId("counter-app");
    const env = command("verify-env");
    expect(env.create).toBe('node "$CHECKS_RUN" env');
    expect(env.environment).toEqual({
      ...common,
      CHECK_CONTAINER: "Unit-App",
      CHECK_EXPECTED_ENV: JSON.stringify(linkVarMap("Unit-App")),
    });
    // A replaced Redis or checked container re-runs the check.
    expect(env.triggers).toEqual([redisId, appId]);

    expect(command("verify-hosts").environment).toEqual({
      ...common,
      CHECK_CONTAINER: "Unit-App",
      ...(legacy
        ? {
            CHECK_EXPECTED_HOSTS: JSON.stringify({
              ip: REDIS_ADDRESS,
              names: [alias, redisHostname, "unit-redis"],
            }),
          }
        : { CHECK_EXPECTED_ADDRESS: REDIS_ADDRESS }),
    });
    expect(command("verify-ping")).toMatchObject({
      environment: { ...common, CHECK_CONTAINER: "unit-probe", CHECK_EXPECTED_ADDRESS: REDIS_ADDRESS },
      triggers: [redisId, containerId("link-probe")],
    });
    expect(command("verify-http")).toMatchObject({
      environment: { ...common, CHECK_URL: `http://127.0.0.1:${APP_PORT}/`, CHECK_REQUESTS: "5" },
      triggers: [redisId, appId],
    });
    expect(command("verify-keys")).toMatchObject({
      environment: { ...common, CHECK_CONTAINER: "unit-cli" },
      triggers: [redisId, containerId("redis-cli")],
    });
  });

  test("stack outputs: redis, app, cli, link and verification", async () => {
    const { pulumi, program } = loaded;
    expect(await resolved(pulumi, program.redis)).toEqual({
      name: "unit-redis",
      id: redisId,
      ip: REDIS_ADDRESS,
    });
    expect(await resolved(pulumi, program.app)).toEqual({
      name: "Unit-App",
      url: `http://localhost:${APP_PORT}/`,
    });
    expect(await resolved(pulumi, program.cli)).toEqual({
      name: "unit-cli",
      attach: "docker attach unit-cli",
    });
    expect(await resolved(pulumi, program.link)).toEqual({
      mode: linkMode,
      alias,
      env: linkVarMap("Unit-App"),
      hosts: legacy ? [`${REDIS_ADDRESS}\t${alias} ${redisHostname} unit-redis`] : [],
    });
    expect(verification).toEqual({
      env: checkResult("env"),
      hosts: checkResult("hosts"),
      ping: checkResult("ping"),
      http: checkResult("http"),
      keys: checkResult("keys"),
      ok: true,
    });
  });
});

describe("invalid configuration", () => {
  test("an invalid appPort stops the program, naming the key, before any resource is registered", async () => {
    const registrations: Registration[] = [];
    const error = await loadProgram({ appPort: "70000" }, registrations).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'container-links:appPort: "70000" is not an integer in 1-65535',
    );
    // Registrations are asynchronous: let any the program started reach the mock before looking.
    await waitForRPCs();
    expect(registrations).toEqual([]);
  });
});
