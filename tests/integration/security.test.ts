// Nothing exposed, against the real program. One stack with `redisPassword` set as a secret: Redis
// requires it, the app and the CLI use it, the checks pass; Redis is not published on the host; no
// container has extra privileges and the app is not root; the password is nowhere in plain text in the
// state (exported and on disk), the stack outputs or the logs of up, preview and destroy. Then a stack
// with hostile config values: preview and up fail naming every key, nothing is created, and no value
// ever reached a shell.
//
// Where the password IS visible, by design (each asserted below, so the list stays true):
//   - `docker inspect <app>`: REDIS_PASSWORD in the app's environment, which the app reads;
//   - `docker inspect <cli>`: REDISCLI_AUTH in the CLI's environment, which redis-cli reads;
//   - /usr/local/etc/redis/auth.conf inside the Redis container (`requirepass <password>`), so that it
//     is not on Redis's command line, where `docker inspect` and `ps` would show it.
// Anyone who can run `docker inspect` controls the engine anyway; the state and logs are what get
// shared (backups, CI output), and those must only ever hold ciphertext.
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
  countedGet,
  inspectContainer,
  opened,
  openProgramStack,
  ProgramStack,
  REMOVE_BUDGET_MS,
  removeProgramStack,
  stateResources,
  verificationOf,
} from "./program-stack";

const STACK_NAME = uniqueName("ops-security");
const LABEL = "security";
// Hex, so it fits the password rule; long and random, so finding it anywhere cannot be a coincidence.
const PASSWORD = `itops${crypto.randomBytes(16).toString("hex")}`;
const PROJECT = "container-links";

/** Everything the CLI printed during up, preview and destroy (stdout and stderr). */
const commandLogs: string[] = [];
const capture = { onOutput: (s: string) => commandLogs.push(s), onError: (s: string) => commandLogs.push(s) };

let ps: ProgramStack | undefined;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell and resolves whatever its exit code. */
function run(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 60_000, encoding: "utf8", cwd: REPO_ROOT }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") {
        reject(new Error(`${file} ${args.join(" ")}: ${err.message}`));
        return;
      }
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    }),
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

beforeAll(async () => {
  ps = await openProgramStack(STACK_NAME, {
    linkMode: "legacy",
    port: 3145,
    subnet: "172.31.248.0/24",
    extra: { redisPassword: { value: PASSWORD, secret: true } },
  });
}, BUDGET_MS.openStack + 10_000);

afterAll(async () => {
  // Destroy keeps the data volume by design; removeProgramStack removes it too.
  expect(await removeProgramStack(STACK_NAME, ps)).toEqual([]);
}, REMOVE_BUDGET_MS);

describe("a stack with a secret redisPassword", () => {
  test(
    "Redis requires the password; the app and the CLI use it; the checks pass",
    async () => {
      const { stack, names, url } = opened(ps);
      const result = await up(stack, LABEL, capture);
      expect(result.summary.result).toBe("succeeded");
      expect(verificationOf(result).ok).toBe(true);

      const unauthenticated = await run("docker", ["exec", names.redis, "redis-cli", "ping"]);
      expect(unauthenticated.stdout + unauthenticated.stderr).toMatch(/NOAUTH/);
      const authenticated = await run("docker", [
        "exec",
        "--env",
        `REDISCLI_AUTH=${PASSWORD}`,
        names.redis,
        "redis-cli",
        "ping",
      ]);
      expect(authenticated.stdout.trim()).toBe("PONG");

      await countedGet(url);
      expect(await cliPing(names)).toBe("PONG");
    },
    BUDGET_MS.up + 60_000,
  );

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
    const app = await inspectContainer(names.app);
    expect(app.Config.User).not.toMatch(/^(|0|root)(:.*)?$/);
    const uid = await docker(["exec", names.app, "id", "-u"]);
    expect(uid).toMatch(/^\d+$/);
    expect(uid).not.toBe("0");
  }, 60_000);

  test(
    "the password is nowhere in plain text in the state, the outputs or the command logs",
    async () => {
      const { stack, names } = opened(ps);
      const again = await preview(stack, LABEL, capture);
      expect(again.changeSummary).toEqual({ same: expect.any(Number) });

      // Visible by design (see the top of this file): proof that this is the password in use.
      const app = await inspectContainer(names.app);
      expect(app.Config.Env).toContain(`REDIS_PASSWORD=${PASSWORD}`);
      const cli = await inspectContainer(names.cli);
      expect(cli.Config.Env).toContain(`REDISCLI_AUTH=${PASSWORD}`);
      expect(await docker(["exec", names.redis, "cat", "/usr/local/etc/redis/auth.conf"])).toBe(
        `requirepass ${PASSWORD}`,
      );
      // ...but not on Redis's command line or in its environment.
      expect(await docker(["inspect", names.redis])).not.toContain(PASSWORD);

      // The state. stack.exportStack() runs `pulumi stack export --show-secrets`, so it shows secrets
      // decrypted, on request: there the password may only be inside secret envelopes (the Redis
      // container's upload and the app's and CLI's env). The export without --show-secrets, as a
      // backup or `pulumi stack export` would hold it, has only ciphertext.
      const exported = await stack.exportStack();
      expect(pathsContaining(exported, PASSWORD).length).toBeGreaterThan(0);
      expect(pathsContaining(exported, PASSWORD, false)).toEqual([]);
      const rawExport = await run(path.join(REPO_ROOT, "bin", "pulumi"), [
        "stack",
        "export",
        "--stack",
        STACK_NAME,
      ]);
      expect(rawExport.code).toBe(0);
      expect(rawExport.stdout).toContain(SECRET_SIG);
      expect(pathsContaining(JSON.parse(rawExport.stdout), PASSWORD)).toEqual([]);
      const files = stackStateFiles(STACK_NAME);
      expect(files.some((f) => f.endsWith(path.join("stacks", PROJECT, `${STACK_NAME}.json`)))).toBe(true);
      for (const file of files) {
        expect({ file, plain: readMaybeGzipped(file).includes(PASSWORD) }).toEqual({ file, plain: false });
      }
      const stackConfigFile = path.join(REPO_ROOT, `Pulumi.${STACK_NAME}.yaml`);
      expect(fs.readFileSync(stackConfigFile, "utf8")).not.toContain(PASSWORD);

      // The outputs: as `pulumi stack output --json` prints them, and even with --show-secrets (what
      // stack.outputs() runs), since no output holds the password, secret or not.
      const raw = await run(path.join(REPO_ROOT, "bin", "pulumi"), [
        "stack",
        "output",
        "--json",
        "--stack",
        STACK_NAME,
      ]);
      expect(raw.code).toBe(0);
      expect(Object.keys(JSON.parse(raw.stdout))).toEqual(
        expect.arrayContaining(["redis", "app", "cli", "link", "verification"]),
      );
      expect(raw.stdout + raw.stderr).not.toContain(PASSWORD);
      expect(JSON.stringify(await stack.outputs())).not.toContain(PASSWORD);
    },
    BUDGET_MS.preview + 90_000,
  );

  test(
    "destroy; no log of up, preview or destroy and no backup or history file held the password",
    async () => {
      const { stack } = opened(ps);
      const gone = await destroy(stack, LABEL, capture);
      expect(gone.summary.result).toBe("succeeded");
      expect(await resourceCount(stack)).toBe(0);

      const logs = commandLogs.join("");
      // Three operations' worth of output was captured (not an empty string passing by accident).
      expect(logs).toMatch(/Updating \(/);
      expect(logs).toMatch(/Previewing update \(/);
      expect(logs).toMatch(/Destroying \(/);
      expect(logs).not.toContain(PASSWORD);
      for (const file of stackStateFiles(STACK_NAME)) {
        expect({ file, plain: readMaybeGzipped(file).includes(PASSWORD) }).toEqual({ file, plain: false });
      }
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
