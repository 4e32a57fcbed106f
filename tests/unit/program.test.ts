// The whole program (index.ts) under Pulumi's mocks, once per target and link mode: the tutorial's
// steps wired together — what each check is asked to look at, what re-runs it, and the stack's
// outputs — and a guard over every command it makes: no config value inside a script, every
// variable quoted, and no secret in any command's script, environment or invoke.
import * as pulumi from "@pulumi/pulumi";
import type { CheckSpec } from "../../checks/types";
import {
  COMMAND,
  containerId,
  holdsSecret,
  loadProgram,
  plain,
  Registration,
  registered,
  resolved,
  RUN,
} from "./mocks";

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

const SHAPES = [
  { target: "container", linkMode: "legacy", alias: "redis" },
  { target: "container", linkMode: "network", alias: "cache" },
  { target: "swarm", linkMode: "network", alias: "cache" },
] as const;

describe.each(SHAPES)("the program, target $target, linkMode $linkMode", ({ target, linkMode, alias }) => {
  const swarm = target === "swarm";
  let registrations: Registration[];
  let program: typeof import("../../index");
  let p: typeof pulumi;
  const specOf = (check: string): CheckSpec => {
    const env = plain(registered(registrations, COMMAND, `verify-${check}`).inputs.environment) as Record<
      string,
      string
    >;
    return JSON.parse(env.CHECK_SPEC);
  };

  beforeAll(async () => {
    const loaded = await loadProgram({
      target,
      linkMode,
      linkAlias: alias,
      ...NAMES,
      networkSubnet: SUBNET,
      appPort: String(APP_PORT),
      checkRequests: "5",
      readyTimeoutSeconds: "42",
      appPublish: "gateway",
    });
    ({ registrations, program } = loaded);
    p = loaded.pulumi;
    // The verification output depends on every step, so once it resolves all are registered.
    await resolved(p, program.verification);
  }, 60_000);

  const redisRef = swarm
    ? { service: "unit-redis", id: "redis-server-id" }
    : { container: "unit-redis", id: containerId("redis-server") };
  const appRef = swarm
    ? { service: "Unit-App", id: "counter-app-id" }
    : { container: "Unit-App", id: containerId("counter-app") };

  test("the checks look into the app, by name and by the id the stack made", () => {
    expect(specOf("env")).toMatchObject({ check: "env", in: appRef, alias, timeoutSeconds: 42 });
    expect(specOf("hosts")).toMatchObject({ check: "hosts", in: appRef, alias });
    expect(specOf("http")).toEqual({
      check: "http",
      timeoutSeconds: 42,
      url: `http://127.0.0.1:${APP_PORT}/`,
      // On a swarm at least one GET per replica, two replicas must answer, and the service is named
      // so that the requests wait for the tasks an update replaced to stop.
      ...(swarm
        ? { requests: 5, minServers: 2, service: appRef }
        : { requests: 5, app: appRef, source: redisRef }),
    });
    expect(specOf("ping")).toMatchObject({
      in: { container: "unit-probe", id: containerId("link-probe") },
      alias,
    });
    expect(specOf("keys")).toEqual({
      check: "keys",
      timeoutSeconds: 42,
      in: { container: "unit-cli", id: containerId("redis-cli") },
      alias,
      keys: ["ip", "requests"],
      passwordFile: "/run/secrets/redis-password",
    });
  });

  test(
    linkMode === "legacy"
      ? "legacy: exactly the variables and the hosts line `docker run --link unit-redis:redis` gives the app"
      : "no link variables; the alias resolves by DNS to Redis",
    () => {
      const env = specOf("env");
      const hosts = specOf("hosts");
      if (linkMode === "legacy") {
        expect(env).toMatchObject({
          linkVars: { prefix: "REDIS" },
          expected: {
            REDIS_PORT: `tcp://${REDIS_ADDRESS}:6379`,
            REDIS_PORT_6379_TCP: `tcp://${REDIS_ADDRESS}:6379`,
            REDIS_PORT_6379_TCP_ADDR: REDIS_ADDRESS,
            REDIS_PORT_6379_TCP_PORT: "6379",
            REDIS_PORT_6379_TCP_PROTO: "tcp",
            REDIS_NAME: "/Unit-App/redis",
            REDIS_ENV_REDIS_VERSION: "7.4.2",
          },
        });
        expect(hosts).toMatchObject({
          expected: {
            line: {
              ip: REDIS_ADDRESS,
              names: ["redis", containerId("redis-server").slice(0, 12), "unit-redis"],
            },
          },
        });
        return;
      }
      expect(env).toMatchObject({ linkVars: { prefix: "CACHE" }, expected: {} });
      const address = swarm ? { service: "unit-redis", network: "unit-net" } : { ip: REDIS_ADDRESS };
      expect(hosts).toMatchObject({ expected: { resolvesTo: address } });
      expect(specOf("ping")).toMatchObject({ address });
    },
  );

  test("each check re-runs when Redis or what it looks at is replaced, updated or moves", () => {
    const triggers = (check: string) => registered(registrations, COMMAND, `verify-${check}`).inputs.triggers;
    // A container's revision is its id and its addresses; a service's, a digest of its id and spec.
    const containerRevision = (name: string) =>
      expect.stringMatching(new RegExp(`^${containerId(name)}( \\S+=\\S+)+$`));
    const serviceRevision = expect.stringMatching(/^[0-9a-f]{16}$/);
    const redis = swarm ? serviceRevision : containerRevision("redis-server");
    const app = swarm ? serviceRevision : containerRevision("counter-app");
    for (const check of ["env", "hosts", "http"]) expect(triggers(check)).toEqual([redis, app]);
    expect(triggers("ping")).toEqual([redis, containerRevision("link-probe")]);
    expect(triggers("keys")).toEqual([redis, containerRevision("redis-cli")]);
    if (!swarm) expect((triggers("env") as string[])[0]).toContain(`unit-net=${REDIS_ADDRESS}`);
  });

  test("stack outputs: redis (where the alias led), app, cli, link and verification", async () => {
    expect(await resolved(p, program.redis)).toEqual({
      name: "unit-redis",
      id: swarm ? "redis-server-id" : containerId("redis-server"),
      // From the ping check: the address it saw (the mocks answer with the expected one, or none on a swarm).
      ip: swarm ? "" : REDIS_ADDRESS,
      // The default: Redis requires a password.
      auth: "password",
    });
    expect(await resolved(p, program.app)).toEqual({
      name: "Unit-App",
      url: `http://localhost:${APP_PORT}/`,
      ...(swarm ? { replicas: 3 } : {}),
    });
    expect(await resolved(p, program.cli)).toEqual({ name: "unit-cli", attach: "docker attach unit-cli" });
    const link = await resolved(p, program.link);
    expect(link).toMatchObject({ mode: linkMode, alias });
    expect(Object.keys(link.env).length).toBe(linkMode === "legacy" ? 7 : 0);
    const verification = await resolved(p, program.verification);
    expect(verification.ok).toBe(true);
    expect(Object.keys(verification).sort()).toEqual([
      "checkedAt",
      "env",
      "hosts",
      "http",
      "keys",
      "ok",
      "ping",
    ]);
    for (const check of ["env", "hosts", "ping", "http", "keys"] as const) {
      // Each result carries the spec it was made from, so `npm run verify` can run it again.
      expect(verification[check].spec).toEqual(specOf(check));
    }
  });

  test("the app image is built from app/ unless appImage is set; the generated password is made once", () => {
    // Two invokes, each made sure of on every update: the app image and the stack's network.
    const invoked = registrations.filter((r) => r.type === RUN).map((r) => String(r.inputs.command));
    expect(invoked).toHaveLength(2);
    expect(invoked).toEqual(
      expect.arrayContaining([
        expect.stringContaining("docker build"),
        expect.stringContaining("docker network create"),
      ]),
    );
    expect(registered(registrations, COMMAND, "redis-password-generated").inputs).toMatchObject({
      logging: "none",
    });
  });
});

describe("invalid configuration", () => {
  test("an invalid appPort stops the program, naming the key, before any resource is registered", async () => {
    const registrations: Registration[] = [];
    const error = await loadProgram({ appPort: "70000" }, { registrations }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'container-links:appPort: "70000" is not an integer in 1-65535',
    );
    expect(registrations).toEqual([]);
  });
});

describe("the config against the engine", () => {
  test("a subnet that overlaps one of the engine's networks stops the program, naming the key, before anything is made", async () => {
    const registrations: Registration[] = [];
    const error = await loadProgram(
      { networkSubnet: "10.20.30.0/24" },
      {
        registrations,
        engineNetworks: "bridge 172.17.0.0/16\nsomeone-elses 10.20.0.0/16\ncontainer-links 10.20.30.0/24\n",
      },
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    // The stack's own network (container-links) is no conflict; the other one is.
    expect((error as Error).message).toContain(
      'container-links:networkSubnet: "10.20.30.0/24" overlaps the engine\'s network someone-elses (10.20.0.0/16)',
    );
    expect(registrations).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Every command the program makes: config values travel in the environment, never inside a script;
// every variable a script expands is double-quoted; no secret reaches a command at all.

/**
 * Valid values, each distinctive enough that finding it inside a script cannot be a coincidence, and
 * using the punctuation each rule allows (dots, underscores, registry ports, password symbols).
 */
const PLANTED: Record<string, string> = {
  redisName: "itopsq.redis_srv1",
  appName: "itopsq.counter_app2",
  cliName: "itopsq.redis_cli3",
  probeName: "itopsq.link_probe4",
  networkName: "itopsq.net_5",
  dataVolume: "itopsq.data_6",
  linkAlias: "itopsq-alias7",
  redisImage: "localhost:5123/itopsq/redis_8:t.8",
  nodeImage: "localhost:5123/itopsq/node_9:t-9",
  probeImage: "localhost:5123/itopsq/busybox_10:t_10",
  networkSubnet: "10.213.77.0/24",
  appPort: "41873",
  checkRequests: "777",
  readyTimeoutSeconds: "1777",
};
const PASSWORD = "itopsq+Pw/11=x.y_z-11";
/** The mocks' generated password (mocks.ts programStdout). */
const GENERATED = "0123456789abcdef0123456789abcdef0123456789abcdef";

/** What a command is given: its scripts, its environment, and (an invoke) its arguments. */
interface CommandInput {
  name: string;
  scripts: string[];
  environment: Record<string, string>;
  secretInputs: boolean;
}

function commandInputs(registrations: Registration[]): CommandInput[] {
  return registrations
    .filter((r) => r.type === COMMAND || r.type === RUN)
    .map(({ name, inputs }) => {
      const unwrapped = plain(inputs) as Record<string, unknown>;
      return {
        name,
        scripts: ["create", "update", "delete", "command"].flatMap((f) =>
          typeof unwrapped[f] === "string" ? [unwrapped[f] as string] : [],
        ),
        environment: (unwrapped.environment ?? {}) as Record<string, string>,
        secretInputs: holdsSecret(inputs),
      };
    });
}

/** Where a secret value shows up in what commands are given (their output may hold one: the generator's). */
function secretLeaks(commands: CommandInput[], secrets: string[]): string[] {
  return commands.flatMap(({ name, scripts, environment, secretInputs }) => [
    ...secrets.flatMap((secret) => [
      ...scripts.filter((s) => s.includes(secret)).map(() => `${name}: a script holds a secret`),
      ...Object.entries(environment)
        .filter(([, v]) => v.includes(secret))
        .map(([k]) => `${name}: environment ${k} holds a secret`),
    ]),
    ...(secretInputs ? [`${name}: an input is marked secret`] : []),
  ]);
}

/**
 * Parameter expansions ($NAME, ${NAME}) of a POSIX shell script that are not inside double quotes,
 * where the shell would split and glob their values. Command substitutions are code, not data.
 */
function unquotedExpansions(script: string): string[] {
  const found: string[] = [];
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === "\\") {
      i++;
    } else if (c === '"') {
      quote = quote === '"' ? undefined : '"';
    } else if (c === "'" && quote === undefined) {
      quote = "'";
    } else if (c === "$" && quote === undefined && /[A-Za-z_{]/.test(script[i + 1] ?? "")) {
      found.push(/^\$(\{[^}]*\}|\w+)/.exec(script.slice(i))?.[0] ?? script.slice(i, i + 10));
    }
  }
  return found;
}

describe("the guards themselves", () => {
  test.each([
    ['docker image inspect "$IMAGE"', []],
    ["echo '$NOT_EXPANDED'", []],
    ['out=$(docker image rm "$TAG" 2>&1) || echo "warning: $TAG $out"', []],
    ["docker build --tag $TAG .", ["$TAG"]],
    ['echo "${A}" ${B}', ["${B}"]],
  ])("unquotedExpansions(%s)", (script, expected) => {
    expect(unquotedExpansions(script)).toEqual(expected);
  });

  test("secretLeaks finds a secret in a script, in an environment value, and an input marked secret", () => {
    const leaky: CommandInput[] = [
      { name: "a", scripts: [`redis-cli -a ${PASSWORD}`], environment: {}, secretInputs: false },
      { name: "b", scripts: ["x"], environment: { P: `pw=${PASSWORD}` }, secretInputs: false },
      { name: "c", scripts: ["x"], environment: {}, secretInputs: true },
    ];
    expect(secretLeaks(leaky, [PASSWORD])).toEqual([
      "a: a script holds a secret",
      "b: environment P holds a secret",
      "c: an input is marked secret",
    ]);
  });
});

describe.each(SHAPES)(
  "every command of the program (target $target, linkMode $linkMode)",
  ({ target, linkMode }) => {
    describe.each([
      ["a configured password", { redisPassword: PASSWORD }, [PASSWORD, GENERATED]],
      ["the generated password", {}, [GENERATED]],
    ] as const)("with %s", (_name, password, secrets) => {
      let commands: CommandInput[];
      beforeAll(async () => {
        const {
          pulumi: p,
          program,
          registrations,
        } = await loadProgram(
          { ...PLANTED, ...password, target, linkMode, appPublish: "gateway" },
          { secrets: Object.keys(password) },
        );
        await resolved(p, program.verification);
        commands = commandInputs(registrations);
      }, 60_000);

      test("there are commands to look at: the image, the password, the five checks", () => {
        expect(commands.map((c) => c.name)).toEqual(
          expect.arrayContaining([
            RUN,
            "counter-app-image",
            "redis-password-generated",
            "verify-env",
            "verify-keys",
          ]),
        );
      });

      test("no script holds a config value: they travel in the environment", () => {
        const hits = commands.flatMap(({ name, scripts }) =>
          Object.entries(PLANTED).flatMap(([key, value]) =>
            scripts.some((s) => s.includes(value)) ? [`${name} script holds ${key}`] : [],
          ),
        );
        expect(hits).toEqual([]);
        const environment = commands.flatMap((c) => Object.values(c.environment)).join("\n");
        for (const key of [
          "appName",
          "cliName",
          "probeName",
          "linkAlias",
          "nodeImage",
          "appPort",
          "readyTimeoutSeconds",
        ]) {
          expect({ key, inEnvironment: environment.includes(PLANTED[key]) }).toEqual({
            key,
            inEnvironment: true,
          });
        }
      });

      test("every variable a script expands is double-quoted", () => {
        expect(
          commands.flatMap(({ name, scripts }) =>
            scripts.flatMap((s) => unquotedExpansions(s).map((v) => `${name}: ${v}`)),
          ),
        ).toEqual([]);
      });

      test("no secret reaches any command: not in a script, not in its environment, not as a secret input", () => {
        expect(secretLeaks(commands, [...secrets])).toEqual([]);
      });
    });
  },
);
