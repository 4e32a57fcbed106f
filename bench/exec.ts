// Bounded child processes and a monotonic stopwatch for the benchmark.
import { execFile } from "child_process";
import { performance } from "perf_hooks";

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when killed by a signal. */
  code: number | null;
}

export interface ExecOptions {
  timeoutMs: number;
  /** Resolve with the exit code instead of rejecting when the command fails (not on a timeout). */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command (no shell) with a hard time limit (SIGKILL); rejects naming the command and why. */
export function exec(command: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        timeout: opts.timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 32 * 1024 * 1024,
        encoding: "utf8",
        env: opts.env,
      },
      (error, stdout, stderr) => {
        // On a non-zero exit `code` is the exit code; a string code (ENOENT...) means it did not run.
        const e = error as (Error & { killed?: boolean; code?: unknown }) | null;
        const shown = [command, ...args].join(" ");
        if (e && (e.killed || typeof e.code !== "number")) {
          const why = e.killed ? `did not finish within ${opts.timeoutMs / 1000}s` : e.message;
          reject(new Error(`${shown}: ${why}`));
          return;
        }
        const code = typeof e?.code === "number" ? e.code : 0;
        if (code !== 0 && !opts.allowFailure) {
          reject(new Error(`${shown} failed (exit code ${code}): ${(stderr || stdout).trim()}`));
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** Milliseconds on the monotonic clock. */
export function now(): number {
  return performance.now();
}

/** Runs `fn` and returns its value with the milliseconds it took (monotonic clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = now();
  const value = await fn();
  return { ms: now() - start, value };
}

/**
 * `docker rm -f -v` of containers that may or may not exist (clean-up): a missing container is no
 * error, anything else is.
 */
export async function removeContainers(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const out = await exec("docker", ["rm", "-f", "-v", ...names], { timeoutMs: 60_000, allowFailure: true });
  const problems = out.stderr.split("\n").filter((l) => l.trim() !== "" && !/No such container/i.test(l));
  if (out.code !== 0 && problems.length > 0) {
    throw new Error(`docker rm -f -v ${names.join(" ")}: ${problems.join("; ")}`);
  }
}
