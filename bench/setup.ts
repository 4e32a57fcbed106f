// What the bench needs before it measures: the stack's images (its config defaults, read from
// Pulumi.yaml), the app image built once with the stack's own build script, and the tools it drives
// (wrk, compose), installed from Debian with apt-get when missing. Plus the removal of what an
// interrupted earlier run left.
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { APP_DIR, appImageTag, ENSURE_APP_IMAGE } from "../components/AppImage";
import { docker, leftovers, pinnedPulumi, removeStack, openStack, REPO_ROOT, toolchainEnv } from "../harness";
import { exec, removeContainers } from "./exec";
import { configDefault } from "../lib/config";

type Say = (line: string) => void;

export interface BenchImages {
  redis: string;
  node: string;
  probe: string;
}

/** The images the stack runs by default (Pulumi.yaml's config defaults), for all three paths. */
export function benchImages(): BenchImages {
  return {
    redis: String(configDefault("redisImage")),
    node: String(configDefault("nodeImage")),
    probe: String(configDefault("probeImage")),
  };
}

export async function checkImages(images: BenchImages): Promise<void> {
  for (const image of Object.values(images)) {
    try {
      await docker(["image", "inspect", "--format", "{{.Id}}", image]);
    } catch {
      throw new Error(`image ${image} is missing: run npm run bootstrap (it builds or pulls it)`);
    }
  }
}

/** The app image of every path: app/ built by the stack's own script (AppImage), tagged as it tags it. */
export async function buildAppImage(nodeImage: string, say: Say): Promise<string> {
  const tag = appImageTag("bench-app", nodeImage);
  say(`app image ${tag} (app/ on ${nodeImage}; built unless present)`);
  await exec("bash", ["-c", ENSURE_APP_IMAGE], {
    timeoutMs: 300_000,
    env: { ...process.env, TAG: tag, NODE_IMAGE: nodeImage, CONTEXT: APP_DIR },
  });
  return tag;
}

/** Runs `apt-get install` of Debian packages (as root), saying so; throws with a hint otherwise. */
async function aptInstall(packages: string[], why: string, say: Say): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${why}: install ${packages.join(" ")} (Debian: sudo apt-get install ${packages.join(" ")})`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  say(`${why}: apt-get install ${packages.join(" ")} (Debian's packages)`);
  const install = () =>
    exec("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...packages], {
      timeoutMs: 600_000,
      env,
    });
  try {
    await install();
  } catch {
    say("apt-get update (the package lists are missing or old), then again");
    await exec("apt-get", ["update", "-q"], { timeoutMs: 300_000, env });
    await install();
  }
  say(`installed ${packages.join(" ")}`);
}

/** A command's first output line, or null when it cannot run. */
async function versionOf(command: string, args: string[]): Promise<string | null> {
  try {
    const out = await exec(command, args, { timeoutMs: 30_000, allowFailure: true });
    const line = (out.stdout + out.stderr).split("\n")[0].trim();
    return out.code === 0 || command === "wrk" ? line : null;
  } catch {
    return null;
  }
}

/** wrk's version line; installs Debian's wrk when it is missing. */
export async function ensureWrk(say: Say): Promise<string> {
  // `wrk --version` prints its version and usage, and exits 1.
  const found = await versionOf("wrk", ["--version"]);
  if (found) return found;
  await aptInstall(["wrk"], "wrk is not installed", say);
  return (await versionOf("wrk", ["--version"])) ?? "wrk";
}

/** How to run compose here: `docker compose` (v2) or `docker-compose`; installs Debian's when neither runs. */
export async function ensureCompose(say: Say): Promise<{ command: string[]; version: string }> {
  const v2 = await versionOf("docker", ["compose", "version"]);
  if (v2) return { command: ["docker", "compose"], version: v2 };
  const v1 = await versionOf("docker-compose", ["version", "--short"]);
  if (v1) return { command: ["docker-compose"], version: `docker-compose ${v1}` };
  await aptInstall(["docker-compose"], "no docker compose is installed", say);
  const installed = await versionOf("docker-compose", ["version", "--short"]);
  if (!installed) throw new Error("docker-compose was installed but does not run");
  return { command: ["docker-compose"], version: `docker-compose ${installed}` };
}

/** Every container, network and volume of the bench starts with this; its stacks with it-bench-. */
export const PREFIX = "bench-";
const STACK_NAME_PREFIX = "it-bench-";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes what an interrupted earlier run left: its stacks (when that process is gone), then bench-* objects. */
export async function clearEarlierRuns(say: Say): Promise<void> {
  const workspace = await LocalWorkspace.create({
    workDir: REPO_ROOT,
    envVars: toolchainEnv(),
    pulumiCommand: await pinnedPulumi(),
  });
  for (const { name } of await workspace.listStacks()) {
    const pid = Number(name.slice(STACK_NAME_PREFIX.length).split("-")[0]);
    if (name.startsWith(STACK_NAME_PREFIX) && Number.isInteger(pid) && !processAlive(pid)) {
      say(`removing stack ${name}, left by an earlier run`);
      await removeStack(await openStack({ workDir: REPO_ROOT, stackName: name }));
    }
  }
  await removeLeftovers(say);
}

/** Removes containers, networks and volumes named bench-*; returns what could not be removed. */
export async function removeLeftovers(say: Say): Promise<string[]> {
  const left = await leftovers(PREFIX);
  if (left.length === 0) return [];
  say(`removing ${left.join(", ")}`);
  const named = (kind: string) =>
    left.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1));
  await removeContainers(named("container"));
  for (const network of named("network")) await docker(["network", "rm", network]).catch(() => undefined);
  for (const volume of named("volume")) await docker(["volume", "rm", volume]).catch(() => undefined);
  return leftovers(PREFIX);
}
