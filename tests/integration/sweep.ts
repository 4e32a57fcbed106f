// Jest globalSetup of the integration project: before any test, removes what an earlier test run
// that was killed (Ctrl-C, a reboot, a CI timeout) left on the engine and in the state backend, so
// its published ports, subnets and names do not fail this run. Only names of test runs whose
// process is gone are touched (stale.ts); the dev stack and anything else on the engine never are.
import { execFile } from "child_process";
import {
  docker,
  lines,
  progress,
  pruneRemovedStackFiles,
  pulumiBin,
  removeStackLocks,
  toolchainEnv,
  waitFor,
} from "./harness";
import { nodeProcessAlive, runOf, staleNames } from "./stale";

const say = progress("sweep");

/** The whole sweep may take this long; each docker call has the harness's own bound. */
const SWEEP_BUDGET_MS = 180_000;

async function swarmActive(): Promise<boolean> {
  return (await docker(["info", "--format", "{{.Swarm.LocalNodeState}}"])) === "active";
}

function pulumi(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      pulumiBin(),
      args,
      { env: { ...process.env, ...toolchainEnv() }, cwd: "/", timeout: 60_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`pulumi ${args.join(" ")} failed: ${(stderr || error.message).trim()}`))
          : resolve(stdout),
    );
  });
}

/** Removes each name with `docker <command> <name>`, saying what went and what would not. */
async function remove(kind: string, command: string[], names: string[]): Promise<number> {
  let removed = 0;
  for (const name of names) {
    try {
      await docker([...command, name]);
      removed++;
      say(`removed ${kind} ${name}`);
    } catch (e) {
      say(`could not remove ${kind} ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return removed;
}

async function sweep(): Promise<void> {
  let removed = 0;
  const stale = (names: string[]) => staleNames(names, (pid) => nodeProcessAlive(pid));

  // Services first: swarm then stops and removes their task containers itself.
  if (await swarmActive()) {
    const services = stale(lines(await docker(["service", "ls", "--format", "{{.Name}}"])));
    removed += await remove("service", ["service", "rm"], services);
    for (const service of services) {
      const filter = `label=com.docker.swarm.service.name=${service}`;
      await waitFor(async () => lines(await docker(["ps", "-aq", "--filter", filter])).length === 0, {
        timeoutMs: 60_000,
        what: `the task containers of ${service} to go`,
      }).catch((e: Error) => say(`${e.message}; going on`));
    }
  }
  const containers = stale(lines(await docker(["ps", "-a", "--format", "{{.Names}}"])));
  removed += await remove("container", ["rm", "--force", "--volumes"], containers);
  const networks = stale(lines(await docker(["network", "ls", "--format", "{{.Name}}"])));
  removed += await remove("network", ["network", "rm"], networks);
  const volumes = stale(lines(await docker(["volume", "ls", "--format", "{{.Name}}"])));
  removed += await remove("volume", ["volume", "rm", "--force"], volumes);

  // Images: the app images stacks build (container-links/<app name>) and the swarm test's own build
  // (labelled it-swarm.build=<stack>).
  const tagged = lines(await docker(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]))
    .filter((ref) => ref.startsWith("container-links/"))
    .filter((ref) => stale([ref.slice("container-links/".length)]).length > 0);
  removed += await remove("image", ["image", "rm", "--force"], tagged);
  const labelled = [
    ...new Set(
      lines(await docker(["image", "ls", "--quiet", "--no-trunc", "--filter", "label=it-swarm.build"])),
    ),
  ];
  const built: string[] = [];
  for (const id of labelled) {
    const stack = await docker([
      "image",
      "inspect",
      "--format",
      '{{index .Config.Labels "it-swarm.build"}}',
      id,
    ]);
    if (stale([stack]).length > 0) built.push(id);
  }
  removed += await remove("image", ["image", "rm", "--force"], built);

  // Stacks in the state backend: their resources are gone now, so the stack goes without a destroy.
  const stacks = (JSON.parse(await pulumi(["stack", "ls", "--all", "--json"])) as { name: string }[]).map(
    (s) => s.name,
  );
  for (const full of stacks) {
    const [org, project, name] = full.split("/");
    if (!org || !project || !name || !runOf(name) || stale([name]).length === 0) continue;
    try {
      const locks = removeStackLocks(project, name);
      if (locks > 0) say(`removed the update lock of ${full}, left by the killed run`);
      await pulumi(["stack", "rm", "--force", "--yes", "--stack", full]);
      removed++;
      const pruned = pruneRemovedStackFiles(project, name);
      say(`removed stack ${full}${pruned > 0 ? ` (and ${pruned} backup files)` : ""}`);
    } catch (e) {
      say(`could not remove stack ${full}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  say(removed > 0 ? `removed ${removed} leftovers of killed test runs` : "no leftovers of earlier test runs");
}

export default async function globalSetup(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sweep(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`removing a killed test run's leftovers took over ${SWEEP_BUDGET_MS / 1000}s`)),
          SWEEP_BUDGET_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
