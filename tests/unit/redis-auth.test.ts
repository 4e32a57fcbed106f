// redisAuth: the default keeps Redis's password everywhere; `none` runs Redis as the tutorial does,
// with no password anywhere (nothing to log in with, protected mode off so that other containers
// get in), loudly, and still never published. The program is loaded under Pulumi's mocks with each
// setting; what the expected commands are comes from Redis's own documentation (`requirepass` in a
// config file, `--protected-mode no`) and the app's contract (REDIS_PASSWORD_FILE).
import * as pulumi from "@pulumi/pulumi";
import { InvalidConfigError, parseConfig } from "../../lib/config";
import { noRedisPassword } from "../../components/RedisPassword";
import { COMMAND, CONTAINER, loadProgram, plain, registered, Registration, resolved } from "./mocks";

const SERVICE = "docker:index/service:Service";
const SECRET = "docker:index/secret:Secret";

describe("the redisAuth key", () => {
  const parse = (values: Record<string, string>) => parseConfig((key) => values[key]);

  test("defaults to password; none is taken as it is", () => {
    expect(parse({}).redisAuth).toBe("password");
    expect(parse({ redisAuth: "none" }).redisAuth).toBe("none");
  });

  test.each(["off", "None", "", "false"])("%j is refused, naming the key", (value) => {
    expect(() => parse({ redisAuth: value })).toThrow('container-links:redisAuth: "');
    expect(() => parse({ redisAuth: value })).toThrow('is not one of "password", "none"');
  });

  test("none with a redisPassword set is refused: a password nobody asks for", () => {
    let thrown: unknown;
    try {
      parseConfig((key) => ({ redisAuth: "none", redisPassword: "0123456789abcdef-x" })[key]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidConfigError);
    expect((thrown as InvalidConfigError).errors.map((e) => e.key)).toEqual(["redisAuth"]);
    expect((thrown as Error).message).toContain("remove redisPassword");
    expect((thrown as Error).message).not.toContain("0123456789abcdef-x");
  });
});

test("redisAuth none warns, saying what it opens and how to go back", () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
  try {
    expect(noRedisPassword("my-net")).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    const message = warn.mock.calls[0][0];
    expect(message).toContain('redisAuth is "none"');
    expect(message).toContain("network my-net");
    expect(message).toContain("can read and write all its data");
    expect(message).toContain("pulumi config rm redisAuth");
  } finally {
    warn.mockRestore();
  }
});

/** Every string in a registration's inputs, secrets unwrapped, as one text. */
const text = (r: Registration) => JSON.stringify(plain(r.inputs));

describe.each(["password", "none"] as const)("the program with redisAuth %s", (redisAuth) => {
  let registrations: Registration[];
  let outputs: { redis: unknown; verificationKeysSpec: Record<string, unknown> };

  beforeAll(async () => {
    const loaded = await loadProgram({ redisAuth, appPort: "3000", linkMode: "legacy" });
    registrations = loaded.registrations;
    await resolved(loaded.pulumi, loaded.program.verification);
    const keysEnv = plain(registered(registrations, COMMAND, "verify-keys").inputs.environment) as {
      CHECK_SPEC: string;
    };
    outputs = {
      redis: await resolved(loaded.pulumi, loaded.program.redis),
      verificationKeysSpec: JSON.parse(keysEnv.CHECK_SPEC),
    };
  }, 60_000);

  const container = (name: string) => registered(registrations, CONTAINER, name).inputs;

  if (redisAuth === "password") {
    test("Redis reads requirepass from a file; the app and redis-cli read the password from theirs", () => {
      expect(registrations.some((r) => r.name === "redis-password-generated")).toBe(true);
      expect(plain(container("redis-server").uploads)).toEqual([
        { file: "/usr/local/etc/redis/auth.conf", content: expect.stringMatching(/^requirepass \S{16,}\n$/) },
      ]);
      expect(container("redis-server").command).not.toContain("--protected-mode");
      expect(container("counter-app").envs).toContain("REDIS_PASSWORD_FILE=/run/secrets/redis-password");
      expect(text(registered(registrations, CONTAINER, "redis-cli"))).toContain("REDISCLI_AUTH");
      expect(outputs.verificationKeysSpec.passwordFile).toBe("/run/secrets/redis-password");
      expect(outputs.redis).toMatchObject({ auth: "password" });
    });
  } else {
    test("no password anywhere: none generated, no file, no login; protected mode off so that other containers get in", () => {
      expect(registrations.some((r) => r.name === "redis-password-generated")).toBe(false);
      expect(plain(container("redis-server").uploads ?? [])).toEqual([]);
      expect(container("redis-server").command).toEqual([
        "redis-server",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--protected-mode",
        "no",
      ]);
      expect(
        (container("counter-app").envs as string[]).filter((e) => e.startsWith("REDIS_PASSWORD")),
      ).toEqual([]);
      expect(plain(container("counter-app").uploads ?? [])).toEqual([]);
      expect(text(registered(registrations, CONTAINER, "redis-cli"))).not.toMatch(
        /REDISCLI_AUTH|redis-password/,
      );
      expect(outputs.verificationKeysSpec).not.toHaveProperty("passwordFile");
      expect(outputs.redis).toMatchObject({ auth: "none" });
    });
  }

  test("Redis is never published on the host", () => {
    expect(container("redis-server").ports ?? []).toEqual([]);
  });
});

test("on a swarm, redisAuth none makes no secret and gives the app no password file", async () => {
  const {
    registrations,
    pulumi: p,
    program,
  } = await loadProgram({
    redisAuth: "none",
    target: "swarm",
    linkMode: "network",
  });
  await resolved(p, program.verification);
  expect(registrations.filter((r) => r.type === SECRET)).toEqual([]);
  const services = registrations.filter((r) => r.type === SERVICE).map(text);
  expect(services.length).toBeGreaterThan(0);
  for (const service of services)
    expect(service).not.toMatch(/REDIS_PASSWORD_FILE|requirepass|redis-password/);
  expect(services.join("\n")).toContain("--protected-mode");
}, 60_000);
