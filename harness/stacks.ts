// Stacks of the repository's programs for the integration tests and the bench: unique names,
// creation with config, and `up`/`preview`/`destroy` bounded by a budget with progress lines;
// removal that never orphans resources silently.
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
  Stack,
  UpOptions,
  UpResult,
} from "@pulumi/pulumi/automation";
import { pinnedPulumi, toolchainEnv } from "./toolchain";
import { progress } from "./wait";

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
  /** Environment for the stack's runs on top of toolchainEnv(), e.g. DOCKER_HOST of another engine. */
  env?: Record<string, string>;
}

/** Creates (or selects) a stack of the program in workDir with the pinned CLI, and sets its config. */
export async function openStack({ workDir, stackName, config, env }: OpenStackOptions): Promise<Stack> {
  const pulumiCommand = await withTimeout(pinnedPulumi(), BUDGET_MS.openStack, "pulumi version");
  const stack = await withTimeout(
    LocalWorkspace.createOrSelectStack(
      { stackName, workDir },
      { envVars: { ...toolchainEnv(), ...env }, pulumiCommand },
    ),
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
