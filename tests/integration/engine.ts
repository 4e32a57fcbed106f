// The Docker engine the tests run against, restarted the way the bootstrap starts it: the daemon is
// stopped (its containers stop with it), then scripts/docker-engine.sh starts it again and waits
// until it answers. Containers with a restart policy come back by themselves.
//
// The engine is stopped by scripts/engine.sh, which stops only an engine it started (the one
// CONTAINER_LINKS_ENGINE selects, or the system's 20.10 the bootstrap started), by its own pidfile;
// an engine at the standard socket that a bootstrap started before engine.sh existed is stopped by
// the system's pidfile.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { progress, REPO_ROOT, toolchainEnv, waitFor } from "./harness";

const SYSTEM_PIDFILE = "/var/run/docker.pid";
const STOP_BUDGET_MS = 60_000;
const START_BUDGET_MS = 120_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs one of the project's scripts in the toolchain's environment; resolves with its stdout. */
function script(name: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      path.join(REPO_ROOT, "scripts", name),
      args,
      { cwd: REPO_ROOT, env: { ...process.env, ...toolchainEnv() }, timeout: timeoutMs, encoding: "utf8" },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${name} ${args.join(" ")}: ${err.message}\n${stdout}${stderr}`))
          : resolve(stdout),
    ),
  );
}

/** Stops the dockerd the system's pidfile names (a bootstrap started it before engine.sh existed). */
async function stopBySystemPidfile(say: (line: string) => void): Promise<void> {
  const pid = Number(fs.readFileSync(SYSTEM_PIDFILE, "utf8").trim());
  if (!Number.isInteger(pid) || !alive(pid)) throw new Error(`${SYSTEM_PIDFILE} names no running dockerd`);
  say(`stopping dockerd (pid ${pid})`);
  process.kill(pid, "SIGTERM");
  await waitFor(() => !alive(pid), {
    timeoutMs: STOP_BUDGET_MS,
    intervalMs: 200,
    what: `dockerd ${pid} to exit`,
  });
}

export async function restartEngine(): Promise<void> {
  const say = progress("engine");
  const env = toolchainEnv();
  const selected = env.CONTAINER_LINKS_ENGINE;
  if (!selected && env.DOCKER_HOST) {
    throw new Error("the engine at DOCKER_HOST is not one these tests can restart");
  }
  const engine = selected || "20.10";
  say(`stopping engine ${engine} (scripts/engine.sh stop ${engine})`);
  const stopped = await script("engine.sh", ["stop", engine], 150_000);
  // engine.sh says so when it stopped an engine it had started.
  if (!stopped.includes(`engine ${engine}: stopped`)) {
    if (selected) throw new Error(`scripts/engine.sh stop ${engine} stopped nothing:\n${stopped}`);
    await stopBySystemPidfile(say);
  }
  say("starting it again (scripts/docker-engine.sh)");
  await script("docker-engine.sh", [], START_BUDGET_MS);
  say("dockerd answers again");
}
