// The docker CLI, bounded, and what a run left behind under a name prefix.
import { execFile } from "child_process";
import { BUDGET_MS } from "./stacks";
import { toolchainEnv } from "./toolchain";

export interface DockerOptions {
  timeoutMs?: number;
  /** Called with what the command wrote on stderr (its warnings) when it succeeds. */
  onStderr?: (stderr: string) => void;
  /** Another engine to talk to (its DOCKER_HOST); default: the tests' engine. */
  host?: string;
}

/**
 * Runs the docker CLI (no shell) and returns its stdout, trimmed; throws with stderr on failure. It
 * runs in toolchainEnv(), so it talks to the same engine as the stacks (CONTAINER_LINKS_ENGINE or
 * DOCKER_HOST) with that engine's CLI, however jest was started.
 */
export function docker(args: string[], opts: DockerOptions = {}): Promise<string> {
  const env = opts.host === undefined ? toolchainEnv() : { ...toolchainEnv(), DOCKER_HOST: opts.host };
  return runDocker(args, env, opts.timeoutMs ?? BUDGET_MS.docker, undefined, opts.onStderr);
}

function runDocker(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeout: number,
  stdin?: string,
  onStderr?: (stderr: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "docker",
      args,
      { env, timeout, killSignal: "SIGKILL", maxBuffer: 32 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
          const why = e.killed ? `timed out after ${timeout / 1000}s` : `exit code ${e.code}`;
          reject(new Error(`docker ${args.join(" ")} failed (${why}): ${(stderr || e.message).trim()}`));
          return;
        }
        onStderr?.(stderr);
        resolve(stdout.trim());
      },
    );
    if (stdin !== undefined && child.stdin) {
      // A command that exits before reading it all fails on its own; the broken pipe adds nothing.
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin);
    }
  });
}

/** The engine's version and API version (`docker version`). */
export async function engineVersion(): Promise<{ version: string; api: string }> {
  const [version, api] = (await docker(["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"]))
    .split(" ")
    .map((field) => field.trim());
  return { version, api };
}

/**
 * Whether an engine of this API version injects the link variables on `docker run --link`: Docker
 * Engine 29 (API 1.52) and later write only the /etc/hosts line, unless the daemon runs with
 * DOCKER_KEEP_DEPRECATED_LEGACY_LINKS_ENV_VARS=1.
 */
export function injectsLinkVars(api: string): boolean {
  const [major, minor] = api.split(".").map(Number);
  return major < 1 || (major === 1 && minor < 52);
}

let buildxMemo: Promise<boolean> | undefined;

/** Whether the docker CLI has buildx, i.e. builds with BuildKit (bookworm's 20.10 CLI has not). */
function hasBuildx(): Promise<boolean> {
  buildxMemo ??= docker(["buildx", "version"]).then(
    () => true,
    () => false,
  );
  return buildxMemo;
}

export interface DockerBuildOptions extends DockerOptions {
  /** Written to the build's stdin: the Dockerfile when the context is `-`. */
  stdin?: string;
}

/**
 * `docker build <args>` as the app's image is built (components/AppImage.ts): with BuildKit where the
 * CLI has buildx, else with the classic builder. Returns stdout, trimmed (with --quiet, the image ID);
 * throws with stderr on failure.
 */
export async function dockerBuild(args: string[], opts: DockerBuildOptions = {}): Promise<string> {
  const timeout = opts.timeoutMs ?? 2 * BUDGET_MS.docker;
  return (await hasBuildx())
    ? runDocker(["buildx", "build", "--load", ...args], toolchainEnv(), timeout, opts.stdin)
    : runDocker(["build", ...args], { ...toolchainEnv(), DOCKER_BUILDKIT: "0" }, timeout, opts.stdin);
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
