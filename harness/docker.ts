// The docker CLI, bounded, and what a run left behind under a name prefix.
import { execFile } from "child_process";
import { BUDGET_MS } from "./stacks";

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
