// Shared helpers for the integration tests: they drive the Pulumi Automation API against the real
// engine (the pinned CLI, the project's plugin cache and local file state, all as scripts/env.sh
// sets them up) and check the result with the docker CLI. Every step is bounded and long steps
// print progress lines to stderr: `[<label> +<elapsed>s] <line>`.
import { execFile, execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
  ConfigMap,
  DestroyOptions,
  DestroyResult,
  LocalWorkspace,
  PreviewOptions,
  PreviewResult,
  PulumiCommand,
  Stack,
  UpOptions,
  UpResult,
} from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const FIXTURES_DIR = path.join(__dirname, "fixtures");

/** Default budgets of the bounded steps. A test's jest timeout must exceed the sum of its steps. */
export const BUDGET_MS = {
  up: 240_000,
  preview: 120_000,
  destroy: 180_000,
  removeStack: 60_000,
  openStack: 60_000,
  docker: 30_000,
  /** How long a step that ran out of budget gets to stop after cancel/SIGINT before we give up on it. */
  cancelGrace: 30_000,
};

// ---------------------------------------------------------------------------------------------
// Toolchain environment and the pinned CLI
// ---------------------------------------------------------------------------------------------

interface Toolchain {
  env: Record<string, string>;
  bin: string;
  pulumiVersion: string;
}

let toolchainMemo: Toolchain | undefined;

function loadToolchain(): Toolchain {
  if (toolchainMemo) {
    return toolchainMemo;
  }
  const envSh = path.join(REPO_ROOT, "scripts", "env.sh");
  // TOOLCHAIN_BIN and PULUMI_VERSION are shell variables of lib.sh/versions.env, not exported:
  // print them as the first two NUL-terminated records, then the exported environment.
  const script = 'source "$1" && printf "%s\\0%s\\0" "$TOOLCHAIN_BIN" "$PULUMI_VERSION" && env -0';
  let out: string;
  try {
    out = execFileSync("bash", ["-c", script, "bash", envSh], {
      encoding: "utf8",
      timeout: 30_000,
      maxBuffer: 16 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`sourcing ${envSh} failed: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
  const records = out.split("\0");
  const [bin, pulumiVersion, ...vars] = records;
  const env: Record<string, string> = {};
  for (const record of vars) {
    const eq = record.indexOf("=");
    if (eq > 0) {
      env[record.slice(0, eq)] = record.slice(eq + 1);
    }
  }
  if (!bin || !fs.existsSync(path.join(bin, "pulumi"))) {
    throw new Error(
      `the pinned Pulumi CLI is missing (${path.join(bin || "$TOOLCHAIN_BIN", "pulumi")}): ` +
        "run npm run bootstrap first",
    );
  }
  toolchainMemo = { env, bin, pulumiVersion };
  return toolchainMemo;
}

/**
 * The environment scripts/env.sh sets up (PATH with the pinned toolchain first, PULUMI_HOME,
 * PULUMI_BACKEND_URL, passphrase, no update check, no plugin downloads), on top of this process's
 * environment. Computed once per process.
 */
export function toolchainEnv(): Record<string, string> {
  return loadToolchain().env;
}

/** The pinned CLI's path ($TOOLCHAIN_BIN/pulumi). */
export function pulumiBin(): string {
  return path.join(loadToolchain().bin, "pulumi");
}

let pulumiCommandMemo: Promise<PulumiCommand> | undefined;

/**
 * The pinned Pulumi CLI, $TOOLCHAIN_BIN/pulumi, by absolute path (so a pulumi elsewhere on PATH is
 * never used), checked to be the version toolchain/versions.env pins.
 */
export function pinnedPulumi(): Promise<PulumiCommand> {
  if (!pulumiCommandMemo) {
    pulumiCommandMemo = (async () => {
      const { bin, pulumiVersion } = loadToolchain();
      // PulumiCommand runs <root>/bin/pulumi.
      if (path.basename(bin) !== "bin") {
        throw new Error(`TOOLCHAIN_BIN (${bin}) must be a folder named bin for PulumiCommand.get`);
      }
      const cmd = await PulumiCommand.get({ root: path.dirname(bin) });
      const actual = cmd.version?.version;
      if (pulumiVersion && actual !== pulumiVersion) {
        throw new Error(
          `${cmd.command} is version ${actual}, but toolchain/versions.env pins ${pulumiVersion}`,
        );
      }
      return cmd;
    })();
    // Do not memoise a failure: a later call may follow a bootstrap.
    pulumiCommandMemo.catch(() => (pulumiCommandMemo = undefined));
  }
  return pulumiCommandMemo;
}

// ---------------------------------------------------------------------------------------------
// Stacks
// ---------------------------------------------------------------------------------------------

/** A name unique to this run: `it-<purpose>-<pid>-<random>` (lower case, docker- and pulumi-safe). */
export function uniqueName(purpose: string): string {
  const safe = purpose.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return `it-${safe}-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
}

/** A config value: a plain string, or `{ value, secret: true }` to store it encrypted. */
export type ConfigInput = string | { value: string; secret?: boolean };

export interface OpenStackOptions {
  /** The folder with the program's Pulumi.yaml. */
  workDir: string;
  /** Use uniqueName(): stacks live in the shared .pulumi-state backend. */
  stackName: string;
  /** Keys as `<project>:<key>` or bare `<key>` (the CLI adds the project namespace). */
  config?: Record<string, ConfigInput>;
}

/** Creates (or selects) a stack of the program in workDir with the pinned CLI, and sets its config. */
export async function openStack({ workDir, stackName, config }: OpenStackOptions): Promise<Stack> {
  const pulumiCommand = await withTimeout(pinnedPulumi(), BUDGET_MS.openStack, "pulumi version");
  const stack = await withTimeout(
    LocalWorkspace.createOrSelectStack({ stackName, workDir }, { envVars: toolchainEnv(), pulumiCommand }),
    BUDGET_MS.openStack,
    `creating stack ${stackName} in ${workDir}`,
  );
  if (config && Object.keys(config).length > 0) {
    const map: ConfigMap = {};
    for (const [key, v] of Object.entries(config)) {
      map[key] = typeof v === "string" ? { value: v } : { value: v.value, secret: v.secret ?? false };
    }
    await withTimeout(stack.setAllConfig(map), BUDGET_MS.openStack, `setting the config of ${stackName}`);
  }
  return stack;
}

// ---------------------------------------------------------------------------------------------
// Bounded operations with progress
// ---------------------------------------------------------------------------------------------

/** Writes `[<label> +<elapsed>s] <line>` lines to stderr. */
export function progress(label: string, start = Date.now()): (line: string) => void {
  return (line: string) => {
    const elapsed = Math.round((Date.now() - start) / 1000);
    process.stderr.write(`[${label} +${elapsed}s] ${line}\n`);
  };
}

/** Turns chunks of output into whole lines for `say`; `flush` emits a trailing partial line. */
function lineSplitter(say: (line: string) => void): { write: (chunk: string) => void; flush: () => void } {
  let pending = "";
  return {
    write(chunk: string) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (line.trim() !== "") {
          say(line.replace(/\s+$/, ""));
        }
      }
    },
    flush() {
      if (pending.trim() !== "") {
        say(pending.replace(/\s+$/, ""));
      }
      pending = "";
    },
  };
}

export interface BoundedOptions {
  /** Budget of the whole step in milliseconds. */
  timeoutMs?: number;
}

type OpOptions = { onOutput?: (out: string) => void; onError?: (err: string) => void; signal?: AbortSignal };

/**
 * Runs one stack operation with progress lines and a budget. Over budget it interrupts the CLI
 * (SIGINT through the abort signal, the CLI's graceful cancel), asks the backend to cancel the
 * update (`stack.cancel()`, best effort) and throws an Error naming the step and the budget.
 */
async function bounded<T>(
  stack: Stack,
  step: string,
  label: string,
  timeoutMs: number,
  run: (opts: OpOptions) => Promise<T>,
): Promise<T> {
  const start = Date.now();
  const say = progress(label, start);
  const out = lineSplitter(say);
  const err = lineSplitter((line) => say(`stderr: ${line}`));
  const abort = new AbortController();
  say(`${step} ${stack.name} (budget ${timeoutMs / 1000}s)`);

  const op = run({ onOutput: out.write, onError: err.write, signal: abort.signal });
  let timer: NodeJS.Timeout | undefined;
  const overBudget = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const first = await Promise.race([op, overBudget]);
    if (first !== "timeout") {
      say(`${step} done in ${((Date.now() - start) / 1000).toFixed(1)}s`);
      return first as T;
    }
  } catch (e) {
    say(`${step} failed after ${((Date.now() - start) / 1000).toFixed(1)}s`);
    throw e;
  } finally {
    clearTimeout(timer);
    out.flush();
    err.flush();
  }

  say(`${step} exceeded its budget of ${timeoutMs / 1000}s: cancelling`);
  abort.abort();
  try {
    await stack.cancel();
  } catch (e) {
    say(`stack.cancel(): ${firstLine(e)}`);
  }
  let graceTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    op.catch(() => undefined),
    new Promise((resolve) => (graceTimer = setTimeout(resolve, BUDGET_MS.cancelGrace))),
  ]);
  clearTimeout(graceTimer);
  out.flush();
  err.flush();
  throw new Error(
    `${step} of stack ${stack.name} (${label}) did not finish within its budget of ${timeoutMs / 1000}s`,
  );
}

/** The harness's output callbacks, also calling the caller's own; the harness's abort signal. */
function chain(user: OpOptions, io: OpOptions): OpOptions {
  if (user.signal) {
    throw new Error("pass timeoutMs instead of a signal: the harness aborts the operation itself");
  }
  return {
    onOutput: (s) => {
      io.onOutput?.(s);
      user.onOutput?.(s);
    },
    onError: (s) => {
      io.onError?.(s);
      user.onError?.(s);
    },
    signal: io.signal,
  };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n").find((l) => l.trim() !== "") ?? msg;
}

/** `pulumi up`, bounded (default BUDGET_MS.up). */
export function up(stack: Stack, label: string, opts: UpOptions & BoundedOptions = {}): Promise<UpResult> {
  const { timeoutMs = BUDGET_MS.up, ...rest } = opts;
  return bounded(stack, "up", label, timeoutMs, (io) => stack.up({ ...rest, ...chain(rest, io) }));
}

/** `pulumi preview`, bounded (default BUDGET_MS.preview). */
export function preview(
  stack: Stack,
  label: string,
  opts: PreviewOptions & BoundedOptions = {},
): Promise<PreviewResult> {
  const { timeoutMs = BUDGET_MS.preview, ...rest } = opts;
  return bounded(stack, "preview", label, timeoutMs, (io) => stack.preview({ ...rest, ...chain(rest, io) }));
}

/** `pulumi destroy`, bounded (default BUDGET_MS.destroy). */
export function destroy(
  stack: Stack,
  label: string,
  opts: DestroyOptions & BoundedOptions = {},
): Promise<DestroyResult> {
  const { timeoutMs = BUDGET_MS.destroy, ...rest } = opts;
  return bounded(stack, "destroy", label, timeoutMs, (io) => stack.destroy({ ...rest, ...chain(rest, io) }));
}

/** The number of resources in the stack's state (0 when empty or never deployed). */
export async function resourceCount(stack: Stack): Promise<number> {
  const state = await stack.exportStack();
  const resources = (state.deployment as { resources?: unknown[] } | undefined)?.resources;
  return resources?.length ?? 0;
}

/**
 * Destroys the stack's resources if it still has any, then removes the stack (and its
 * Pulumi.<stack>.yaml). A no-op for a stack that is already gone, so it is safe in afterAll after
 * any failure. Throws if the resources cannot be destroyed: the stack is then kept (never removed
 * with --force), so that `pulumi destroy` can be retried and nothing is orphaned silently.
 */
export async function removeStack(stack: Stack, opts: BoundedOptions = {}): Promise<void> {
  const label = `cleanup ${stack.name}`;
  const say = progress(label);
  const existing = await stack.workspace.listStacks();
  if (!existing.some((s) => s.name === stack.name)) {
    say("stack already removed");
    return;
  }
  if ((await resourceCount(stack)) > 0) {
    await destroy(stack, label, { timeoutMs: opts.timeoutMs ?? BUDGET_MS.destroy });
  }
  await withTimeout(
    stack.workspace.removeStack(stack.name),
    BUDGET_MS.removeStack,
    `removing stack ${stack.name}`,
  );
  const project = (await stack.workspace.projectSettings()).name;
  const pruned = pruneRemovedStackFiles(project, stack.name);
  say(`stack removed${pruned > 0 ? ` (and ${pruned} backup files of the file backend)` : ""}`);
}

/** The local file backend's .pulumi folder, or undefined for any other backend. */
function fileBackendState(): string | undefined {
  const url = toolchainEnv().PULUMI_BACKEND_URL ?? "";
  return url.startsWith("file:///")
    ? path.join(decodeURIComponent(new URL(url).pathname), ".pulumi")
    : undefined;
}

/** Test stacks only (it-*), on the local file backend only. */
function testStackState(stackName: string): string | undefined {
  return stackName.startsWith("it-") && !stackName.includes("/") ? fileBackendState() : undefined;
}

/**
 * The update lock of a test stack whose run was killed mid-update: the file backend keeps it, and
 * `pulumi stack rm --force` refuses a locked stack. Only for stacks whose run is known to be gone.
 */
export function removeStackLocks(project: string, stackName: string): number {
  const state = testStackState(stackName);
  const locks = state && path.join(state, "locks", "organization", project, stackName);
  if (!locks || !fs.existsSync(locks)) {
    return 0;
  }
  const count = fs.readdirSync(locks).length;
  fs.rmSync(locks, { recursive: true, force: true });
  return count;
}

/**
 * `pulumi stack rm` on a file backend keeps a .bak of the stack, its backups and empty history and
 * lock folders; a test run would add a set per throwaway stack. This deletes them for a removed
 * test stack (name it-*, local file backend only) and returns how many paths went.
 */
export function pruneRemovedStackFiles(project: string, stackName: string): number {
  const state = testStackState(stackName);
  if (!state) {
    return 0;
  }
  const paths = [
    path.join(state, "stacks", project, `${stackName}.json.bak`),
    path.join(state, "stacks", project, `${stackName}.json.bak.attrs`),
    path.join(state, "backups", project, stackName),
    path.join(state, "history", project, stackName),
    path.join(state, "locks", "organization", project, stackName),
  ];
  let count = 0;
  for (const p of paths) {
    if (fs.existsSync(p)) {
      fs.rmSync(p, { recursive: true, force: true });
      count++;
    }
  }
  return count;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Docker and polling
// ---------------------------------------------------------------------------------------------

export interface DockerOptions {
  timeoutMs?: number;
}

/** Runs the docker CLI (no shell) and returns its stdout, trimmed; throws with stderr on failure. */
export function docker(args: string[], opts: DockerOptions = {}): Promise<string> {
  const timeout = opts.timeoutMs ?? BUDGET_MS.docker;
  return new Promise((resolve, reject) => {
    execFile(
      "docker",
      args,
      { timeout, killSignal: "SIGKILL", maxBuffer: 32 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
          const why = e.killed ? `timed out after ${timeout / 1000}s` : `exit code ${e.code}`;
          reject(new Error(`docker ${args.join(" ")} failed (${why}): ${(stderr || e.message).trim()}`));
          return;
        }
        resolve(stdout.trim());
      },
    );
  });
}

export function lines(s: string): string[] {
  return s
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/**
 * Containers (running or not), networks and volumes whose name starts with `prefix`, as
 * "container <name>", "network <name>", "volume <name>". Empty when nothing is left behind.
 */
export async function leftovers(prefix: string): Promise<string[]> {
  // docker's name filter matches anywhere in the name (a regular expression): keep only prefixes.
  const [containers, networks, volumes] = await Promise.all([
    docker(["ps", "-a", "--filter", `name=${prefix}`, "--format", "{{.Names}}"]),
    docker(["network", "ls", "--filter", `name=${prefix}`, "--format", "{{.Name}}"]),
    docker(["volume", "ls", "--filter", `name=${prefix}`, "--format", "{{.Name}}"]),
  ]);
  const starts = (n: string) => n.replace(/^\//, "").startsWith(prefix);
  return [
    ...lines(containers)
      .filter(starts)
      .map((n) => `container ${n}`),
    ...lines(networks)
      .filter(starts)
      .map((n) => `network ${n}`),
    ...lines(volumes)
      .filter(starts)
      .map((n) => `volume ${n}`),
  ];
}

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is awaited, for the error message ("the app to answer on :3000"). */
  what: string;
}

/**
 * Calls fn until it returns a truthy value (returned) or the time is up. Errors thrown by fn count
 * as "not yet". The timeout error says what was awaited and the last error or value seen.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs, intervalMs = 500, what }: WaitForOptions,
): Promise<T> {
  const start = Date.now();
  let last: string;
  for (;;) {
    try {
      const value = await fn();
      if (value) {
        return value;
      }
      last = `value ${JSON.stringify(value)}`;
    } catch (e) {
      last = `error ${e instanceof Error ? e.message : String(e)}`;
    }
    const elapsed = Date.now() - start;
    if (elapsed >= timeoutMs) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - elapsed)));
  }
}

export interface HttpResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** GET with a timeout covering the whole exchange (body included). */
export async function httpGet(url: string, timeoutMs = 5_000): Promise<HttpResponse> {
  let res: Response;
  let body: string;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    body = await res.text();
  } catch (e) {
    // fetch's own message is just "fetch failed": name the URL and the underlying cause.
    const err = e as Error & { cause?: { message?: string; code?: string } };
    const cause = err.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000}s` : err.cause?.message;
    throw new Error(`GET ${url} failed: ${cause ?? err.message}`, { cause: e });
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { status: res.status, body, headers };
}
