// The Docker engine the tests run against, restarted the way the bootstrap starts it: the daemon is
// stopped (its containers stop with it), then scripts/docker-engine.sh starts it again and waits
// until it answers. Containers with a restart policy come back by themselves.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { progress, REPO_ROOT, toolchainEnv, waitFor } from "./harness";

const PIDFILE = "/var/run/docker.pid";
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

export async function restartEngine(): Promise<void> {
  const say = progress("engine");
  if (toolchainEnv().DOCKER_HOST)
    throw new Error("the engine at DOCKER_HOST is not one these tests can restart");
  const pid = Number(fs.readFileSync(PIDFILE, "utf8").trim());
  if (!Number.isInteger(pid) || !alive(pid)) throw new Error(`${PIDFILE} names no running dockerd`);
  say(`stopping dockerd (pid ${pid})`);
  process.kill(pid, "SIGTERM");
  await waitFor(() => !alive(pid), {
    timeoutMs: STOP_BUDGET_MS,
    intervalMs: 200,
    what: `dockerd ${pid} to exit`,
  });
  say("starting it again (scripts/docker-engine.sh)");
  await new Promise<void>((resolve, reject) =>
    execFile(
      path.join(REPO_ROOT, "scripts", "docker-engine.sh"),
      [],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...toolchainEnv() },
        timeout: START_BUDGET_MS,
        encoding: "utf8",
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`docker-engine.sh: ${err.message}\n${stdout}${stderr}`)) : resolve(),
    ),
  );
  say("dockerd answers again");
}
