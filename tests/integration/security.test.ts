// Secure by default, against the real program. A stack with no password configured: Redis requires
// the one the stack generated (kept, encrypted, in the state), which clients on the default bridge or
// on the stack's network do not have; the app and redis-cli read it from a file; `docker inspect` of
// every container shows no password; Redis is not published; no container has extra privileges and
// the app is not root; the password is nowhere in plain text in the state (exported and on disk),
// the outputs or the logs of up, preview and destroy, and the passphrase that encrypts it is this
// clone's own. Then rotation: a configured password replaces the generated one without losing data
// and the old one is refused; removing it goes back to the generated one. Then a stack with hostile
// config values: preview and up fail naming every key, nothing is created, no value reached a shell.
//
// Where the password IS, by design (each asserted below, so the list stays true): inside the Redis
// container in /usr/local/etc/redis/auth.conf (`requirepass <password>`), and in the app's and
// redis-cli's containers in /run/secrets/redis-password, which they read; redis-cli holds it in its
// own process environment (REDISCLI_AUTH) so that its prompt needs no typing. Anyone who can run
// `docker exec` controls the engine anyway; what `docker inspect`, the state and the logs show is
// what gets shared (support requests, backups, CI output), and those never hold it.
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import {
  BUDGET_MS,
  destroy,
  docker,
  leftovers,
  preview,
  REPO_ROOT,
  removeStack,
  resourceCount,
  toolchainEnv,
  uniqueName,
  up,
} from "./harness";
import {
  cliPing,
  cliRedis,
  countedGet,
  inspectContainer,
  opened,
  openProgramStack,
  ProgramStack,
  REMOVE_BUDGET_MS,
  removeProgramStack,
  serverRedis,
  stateResources,
} from "./program-stack";
import { PASSWORD_FILE } from "../../components/appBase";

const STACK_NAME = uniqueName("ops-security");
const LABEL = "security";
// Hex, so it fits the password rule; long and random, so finding it anywhere cannot be a coincidence.
const CONFIGURED = `itops${crypto.randomBytes(16).toString("hex")}`;
const PROJECT = "container-links";
const SUBNET = "172.31.248.0/24";
const REDIS_ADDRESS = "172.31.248.10";

/** Everything the CLI printed during up, preview and destroy (stdout and stderr). */
const commandLogs: string[] = [];
const capture = { onOutput: (s: string) => commandLogs.push(s), onError: (s: string) => commandLogs.push(s) };

let ps: ProgramStack | undefined;
/** The password the stack generated, read from its state (with --show-secrets) once it is up. */
let generated = "";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell (in the toolchain's environment) and resolves whatever its exit code. */
function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) =>
    execFile(
      file,
      args,
      { timeout: 60_000, encoding: "utf8", cwd: REPO_ROOT, env: { ...toolchainEnv(), ...env } },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") {
          reject(new Error(`${file} ${args.join(" ")}: ${err.message}`));
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    ),
  );
}

/** The file backend's folder (.pulumi-state/.pulumi). */
function stateDir(): string {
  const url = toolchainEnv().PULUMI_BACKEND_URL ?? "";
  if (!url.startsWith("file://")) throw new Error(`not a file backend: ${url}`);
  return path.join(decodeURIComponent(new URL(url).pathname), ".pulumi");
}

/** Every file of the backend that belongs to the stack: its checkpoint, backups and history. */
function stackStateFiles(stackName: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.includes(stackName)) found.push(p);
    }
  };
  walk(stateDir());
  return found;
}

/** Pulumi's signature key of a secret value in a checkpoint: {"4dabf...": "1b47...", ciphertext | plaintext}. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * Where `needle` occurs inside `value`, as JSON paths (`$.resources[3].outputs.envs`). With
 * `intoSecrets` false, secret envelopes are not looked into: a value marked secret is shown there as
 * `plaintext` only because an export with --show-secrets asked for it.
 */
function pathsContaining(value: unknown, needle: string, intoSecrets = true, at = "$"): string[] {
  if (typeof value === "string") return value.includes(needle) ? [at] : [];
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => pathsContaining(v, needle, intoSecrets, `${at}[${i}]`));
  }
  if (value !== null && typeof value === "object") {
    if (!intoSecrets && SECRET_SIG in value) return [];
    return Object.entries(value).flatMap(([k, v]) => pathsContaining(v, needle, intoSecrets, `${at}.${k}`));
  }
  return [];
}

function readMaybeGzipped(file: string): string {
  const bytes = fs.readFileSync(file);
  return (file.endsWith(".gz") ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

/** `redis-cli <args>` from a throwaway container on `network`, logged in with `password` if given. */
async function clientOn(
  network: string,
  host: string,
  password: string | undefined,
  ...args: string[]
): Promise<string> {
  const { names } = opened(ps);
  const image = (await inspectContainer(names.redis)).Config.Image;
  const login = password === undefined ? [] : ["--env", `REDISCLI_AUTH=${password}`];
  const out = await run("docker", [
    "run",
    "--rm",
    "--network",
    network,
    ...login,
    image,
    "redis-cli",
    "-h",
    host,
    ...args,
  ]);
  return (out.stdout + out.stderr).trim();
}

/** Whether the text of a container's `docker inspect` (or a service's) holds any of the passwords. */
async function inspectHolds(
  kind: "container" | "service",
  name: string,
  passwords: string[],
): Promise<boolean> {
  const text = await docker([kind === "service" ? "service" : "container", "inspect", name]);
  return passwords.some((p) => text.includes(p));
}

beforeAll(async () => {
  ps = await openProgramStack(STACK_NAME, { linkMode: "legacy", port: 3145, subnet: SUBNET });
}, BUDGET_MS.openStack + 10_000);

afterAll(async () => {
  // Destroy keeps the data volume by design; removeProgramStack removes it too.
  expect(await removeProgramStack(STACK_NAME, ps)).toEqual([]);
}, REMOVE_BUDGET_MS);

describe("a stack with no password configured", () => {
  test(
    "Redis requires a generated password; no client without it gets in, on the default bridge or the stack's network",
    async () => {
      const { stack, names, url } = opened(ps);
      const result = await up(stack, LABEL, capture);
      expect(result.summary.result).toBe("succeeded");
      await countedGet(url);

      const exported = await stack.exportStack();
      const generator = exported.deployment.resources.find((r: { urn: string }) =>
        r.urn.endsWith("::redis-password-generated"),
      );
      generated = generator?.outputs?.stdout?.plaintext ? JSON.parse(generator.outputs.stdout.plaintext) : "";
      expect(generated).toMatch(/^[0-9a-f]{48}$/);

      // Nobody else on the host: a client on the default bridge (where legacy links find Redis) and one
      // on the stack's own network, without the password.
      const bridgeIp = (await inspectContainer(names.redis)).NetworkSettings.Networks.bridge.IPAddress;
      expect(await clientOn("bridge", bridgeIp, undefined, "KEYS", "*")).toMatch(/^NOAUTH/);
      expect(await clientOn(names.network, REDIS_ADDRESS, undefined, "KEYS", "*")).toMatch(/^NOAUTH/);
      expect(await clientOn(names.network, REDIS_ADDRESS, "not-the-password-at-all", "ping")).toMatch(
        /WRONGPASS|invalid/i,
      );
      // With it, they do: it is the password in use.
      expect(await clientOn(names.network, REDIS_ADDRESS, generated, "ping")).toBe("PONG");
      // Protected mode stays on.
      expect(await serverRedis(names.redis, "--raw", "CONFIG", "GET", "protected-mode")).toBe(
        "protected-mode\nyes",
      );
      // The tutorial's CLI logs in by itself.
      expect(await cliPing(names)).toBe("PONG");
    },
    BUDGET_MS.up + 90_000,
  );

  test("the password reaches the containers as files; docker inspect of every container shows none", async () => {
    const { names } = opened(ps);
    for (const name of [names.redis, names.app, names.cli, names.probe]) {
      expect({ name, holds: await inspectHolds("container", name, [generated]) }).toEqual({
        name,
        holds: false,
      });
    }
    expect(await docker(["exec", names.app, "cat", PASSWORD_FILE])).toBe(generated);
    expect(await docker(["exec", names.cli, "cat", PASSWORD_FILE])).toBe(generated);
    expect(await docker(["exec", names.redis, "cat", "/usr/local/etc/redis/auth.conf"])).toBe(
      `requirepass ${generated}`,
    );
    // The app keeps it to itself: not in its process environment (redis-cli's holds it, by design).
    expect(await docker(["exec", names.app, "cat", "/proc/1/environ"])).not.toContain(generated);
    expect(await docker(["exec", names.app, "env"])).toContain(`REDIS_PASSWORD_FILE=${PASSWORD_FILE}`);
  }, 60_000);

  test("Redis is not published on the host; only the app's port is", async () => {
    const { names } = opened(ps);
    for (const name of [names.redis, names.app, names.cli, names.probe]) {
      const info = await inspectContainer(name);
      const bindings = Object.entries(info.HostConfig.PortBindings ?? {}).filter(
        ([, b]) => (b ?? []).length > 0,
      );
      const published = Object.entries(info.NetworkSettings.Ports ?? {}).filter(
        ([, b]) => (b ?? []).length > 0,
      );
      const expected = name === names.app ? ["3000/tcp"] : [];
      expect({ name, bindings: bindings.map(([p]) => p), published: published.map(([p]) => p) }).toEqual({
        name,
        bindings: expected,
        published: expected,
      });
    }
    expect(await docker(["port", names.redis])).toBe("");
  }, 60_000);

  test("no container has extra privileges; the app runs as a non-root user", async () => {
    const { names } = opened(ps);
    for (const name of [names.redis, names.app, names.cli, names.probe]) {
      const { HostConfig } = await inspectContainer(name);
      expect({ name, privileged: HostConfig.Privileged, capAdd: HostConfig.CapAdd ?? [] }).toEqual({
        name,
        privileged: false,
        capAdd: [],
      });
    }
    const uid = await docker(["exec", names.app, "id", "-u"]);
    expect(uid).toMatch(/^\d+$/);
    expect(uid).not.toBe("0");
  }, 60_000);

  test(
    "the password is only ciphertext in the state and nowhere in the outputs; an empty passphrase opens nothing",
    async () => {
      const { stack } = opened(ps);
      // A second preview changes nothing: the generated password is reused, not made again.
      const again = await preview(stack, LABEL, capture);
      expect(again.changeSummary).toEqual({ same: expect.any(Number) });

      // stack.exportStack() runs `pulumi stack export --show-secrets`: there the password may only be
      // inside secret envelopes. Without --show-secrets, as a backup would hold it, only ciphertext.
      const exported = await stack.exportStack();
      expect(pathsContaining(exported, generated).length).toBeGreaterThan(0);
      expect(pathsContaining(exported, generated, false)).toEqual([]);
      const pulumiCli = path.join(REPO_ROOT, "bin", "pulumi");
      const rawExport = await run(pulumiCli, ["stack", "export", "--stack", STACK_NAME]);
      expect(rawExport.code).toBe(0);
      expect(rawExport.stdout).toContain(SECRET_SIG);
      expect(pathsContaining(JSON.parse(rawExport.stdout), generated)).toEqual([]);
      for (const file of stackStateFiles(STACK_NAME)) {
        expect({ file, plain: readMaybeGzipped(file).includes(generated) }).toEqual({ file, plain: false });
      }
      // The passphrase is this clone's own, readable by its owner only; without it nothing opens.
      const passphraseFile = toolchainEnv().PULUMI_CONFIG_PASSPHRASE_FILE;
      expect(passphraseFile).toBe(path.join(REPO_ROOT, ".pulumi-state", "passphrase"));
      expect(fs.statSync(passphraseFile).mode & 0o777).toBe(0o600);
      const withEmpty = await run(pulumiCli, ["stack", "export", "--show-secrets", "--stack", STACK_NAME], {
        PULUMI_CONFIG_PASSPHRASE: "",
        PULUMI_CONFIG_PASSPHRASE_FILE: "",
      });
      expect(withEmpty.code).not.toBe(0);
      expect(withEmpty.stdout).not.toContain(generated);

      const outputs = await run(pulumiCli, [
        "stack",
        "output",
        "--json",
        "--show-secrets",
        "--stack",
        STACK_NAME,
      ]);
      expect(outputs.code).toBe(0);
      expect(Object.keys(JSON.parse(outputs.stdout))).toEqual(
        expect.arrayContaining(["redis", "app", "cli", "link", "verification"]),
      );
      expect(outputs.stdout + outputs.stderr).not.toContain(generated);
    },
    BUDGET_MS.preview + 90_000,
  );
});

describe("rotation", () => {
  test(
    "a configured password replaces the generated one: Redis, the app and the CLI roll, the data stays, the old one is refused",
    async () => {
      const { stack, names, url } = opened(ps);
      const before = await countedGet(url);
      await stack.setConfig("redisPassword", { value: CONFIGURED, secret: true });
      const result = await up(stack, LABEL, capture);
      expect(result.summary.result).toBe("succeeded");
      // The counter went on from where it was (the checks' requests came in between).
      expect(await countedGet(url)).toBeGreaterThan(before);
      expect(await clientOn(names.network, REDIS_ADDRESS, generated, "ping")).toMatch(/WRONGPASS|invalid/i);
      expect(await clientOn(names.network, REDIS_ADDRESS, CONFIGURED, "ping")).toBe("PONG");
      expect(await cliRedis(names.cli, names.alias, "ping")).toBe("PONG");
      for (const name of [names.redis, names.app, names.cli]) {
        expect({ name, holds: await inspectHolds("container", name, [generated, CONFIGURED]) }).toEqual({
          name,
          holds: false,
        });
      }
    },
    BUDGET_MS.up + 60_000,
  );

  test(
    "removing it goes back to the generated one, data kept",
    async () => {
      const { stack, names, url } = opened(ps);
      const before = await countedGet(url);
      await stack.removeConfig("redisPassword");
      const result = await up(stack, LABEL, capture);
      expect(result.summary.result).toBe("succeeded");
      expect(await countedGet(url)).toBeGreaterThan(before);
      expect(await clientOn(names.network, REDIS_ADDRESS, generated, "ping")).toBe("PONG");
      expect(await clientOn(names.network, REDIS_ADDRESS, CONFIGURED, "ping")).toMatch(/WRONGPASS|invalid/i);
    },
    BUDGET_MS.up + 60_000,
  );

  test(
    "destroy; no log of up, preview or destroy and no backup or history file held either password",
    async () => {
      const { stack } = opened(ps);
      const gone = await destroy(stack, LABEL, capture);
      expect(gone.summary.result).toBe("succeeded");
      expect(await resourceCount(stack)).toBe(0);

      const logs = commandLogs.join("");
      // Several operations' worth of output was captured (not an empty string passing by accident).
      expect(logs).toMatch(/Updating \(/);
      expect(logs).toMatch(/Previewing update \(/);
      expect(logs).toMatch(/Destroying \(/);
      expect(logs).not.toContain(generated);
      expect(logs).not.toContain(CONFIGURED);
      for (const file of stackStateFiles(STACK_NAME)) {
        const text = readMaybeGzipped(file);
        expect({ file, plain: text.includes(generated) || text.includes(CONFIGURED) }).toEqual({
          file,
          plain: false,
        });
      }
      expect(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${STACK_NAME}.yaml`), "utf8")).not.toContain(
        CONFIGURED,
      );
    },
    BUDGET_MS.destroy + 30_000,
  );
});

describe("hostile config values", () => {
  const stackName = uniqueName("ops-hostile");
  // If any value reached a shell, its command would create one of these files.
  const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), "it-ops-hostile-"));
  const marker = (n: number) => path.join(markerDir, `ran-${n}`);
  // Names start with the stack name, so anything created under them would show in leftovers().
  const hostile: Record<string, string> = {
    redisName: `${stackName}-redis;touch ${marker(1)}`,
    appName: `${stackName}-app$(touch ${marker(2)})`,
    networkName: `${stackName}-net\ntouch ${marker(3)}`,
    dataVolume: `${stackName}-data' ; touch ${marker(4)} '`,
    linkAlias: `redis\`touch ${marker(5)}\``,
    redisImage: `redis:7.0 && touch ${marker(6)}`,
    probeImage: `busybox:1.35"; touch ${marker(7)}; "`,
    readyTimeoutSeconds: "-1",
  };
  // Pulumi.yaml declares appPort an integer, so the CLI itself refuses this one before the program runs.
  const hugePort = "99999999999999999999999";
  let hostileStack: ProgramStack | undefined;

  beforeAll(async () => {
    hostileStack = await openProgramStack(stackName, {
      linkMode: "legacy",
      port: 3147,
      subnet: "172.31.247.128/25",
      extra: hostile,
    });
  }, BUDGET_MS.openStack + 10_000);

  afterAll(
    async () => {
      try {
        if (hostileStack) await removeStack(hostileStack.stack);
      } finally {
        fs.rmSync(markerDir, { recursive: true, force: true });
      }
    },
    BUDGET_MS.destroy + BUDGET_MS.removeStack + 30_000,
  );

  /** Runs `op`, which must fail; returns its message. */
  async function failureOf(op: () => Promise<unknown>): Promise<string> {
    try {
      await op();
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    throw new Error("expected the operation to fail");
  }

  test(
    "preview and up fail naming every hostile key; nothing is created and no value reached a shell",
    async () => {
      const { stack } = opened(hostileStack);
      const previewError = await failureOf(() => preview(stack, "hostile"));
      expect(await resourceCount(stack)).toBe(0);
      const upError = await failureOf(() => up(stack, "hostile", { timeoutMs: 120_000 }));
      // A failed up records the stack itself, and nothing else.
      expect((await stateResources(stack)).filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
      for (const message of [previewError, upError]) {
        // parseConfig reports every problem at once.
        expect(message).toMatch(/invalid stack configuration \(8 problems/);
        for (const key of Object.keys(hostile)) {
          expect(message).toContain(`${PROJECT}:${key}: `);
        }
        // Values are shown quoted and escaped: the newline does not start a line of its own.
        expect(message).toContain(`"${stackName}-net\\ntouch `);
        expect(message).not.toMatch(/^\s*touch /m);
      }

      try {
        await stack.setConfig("appPort", { value: hugePort });
        const portError = await failureOf(() => preview(stack, "hostile"));
        expect(portError).toMatch(/appPort/);
        expect(portError).toMatch(/integer/);
      } finally {
        // The CLI refuses every operation, destroy included, while a value has the wrong type.
        await stack.setConfig("appPort", { value: "3147" });
      }

      expect(await leftovers(stackName)).toEqual([]);
      expect(fs.readdirSync(markerDir)).toEqual([]);
    },
    2 * BUDGET_MS.preview + 120_000 + 30_000,
  );
});
