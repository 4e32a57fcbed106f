// The stack's containers by the docker CLI: what the stack makes on the engine (container target,
// legacy links, the default), made and removed with plain docker commands in the order the stack
// makes and removes them, with no Pulumi and no checks. It is Docker's own share of the stack's
// cycle: the stack's own network, Redis on it and on the default bridge with its password file,
// then the app (published, password file), redis-cli (TTY, init, password file) and the probe side
// by side; removed as a destroy removes them, each stop given the stack's 5 s grace.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { docker } from "../harness";
import { appEnv, APP_PORT, PASSWORD_FILE } from "../components/appBase";
import { authConfig, REDIS_HEALTHCHECK, redisServerArgs } from "../components/redisProcess";
import { AUTH_FILE, REDIS_HOST_NUMBER } from "../components/RedisServer";
import { subnetHost } from "../lib/ipv4";
import { Path } from "./results";
import { firstOk, now, stepTimer } from "./setup";

const PREFIX = "bench-d-";
const PORT = 3176;
const NETWORK = `${PREFIX}net`;
const SUBNET = "172.31.249.0/24";
/** Where the stack puts Redis on its subnet. */
const REDIS_IP = subnetHost(SUBNET, REDIS_HOST_NUMBER);
const GRACE = ["--time", "5"];
const names = { redis: `${PREFIX}redis-server`, app: `${PREFIX}counter-app`, cli: `${PREFIX}redis-cli` };
const probe = `${PREFIX}link-probe`;

const cmd = (args: string[]) => docker(args, { timeoutMs: 60_000 });

/** A tree holding one file at its absolute path inside a container, to copy in from its root. */
function fileTree(dir: string, at: string, content: string): string {
  fs.mkdirSync(path.join(dir, path.dirname(at)), { recursive: true });
  fs.writeFileSync(path.join(dir, at), content);
  return dir;
}

/**
 * `docker create`, the file copied in (as the provider uploads it, its folders made too), what else
 * must come before the start (another network), `start`.
 */
async function createAndStart(
  args: string[],
  tree?: string,
  beforeStart?: (id: string) => Promise<unknown>,
): Promise<void> {
  const id = (await cmd(["create", ...args])).trim();
  if (tree) await cmd(["cp", `${tree}/.`, `${id}:/`]);
  await beforeStart?.(id);
  await cmd(["start", id]);
}

export const containersPath: Path = {
  id: "containers",
  label: "the stack's containers, docker CLI",
  async run(images) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-d-"));
    const secret = fileTree(path.join(dir, "secret"), PASSWORD_FILE, "bench-password");
    const auth = fileTree(path.join(dir, "auth"), AUTH_FILE, authConfig("bench-password"));
    const common = ["--restart", "unless-stopped", "--security-opt", "no-new-privileges:true"];
    const onNetwork = ["--network", NETWORK, "--add-host", `redis:${REDIS_IP}`];
    const { steps, step } = stepTimer();
    try {
      const start = now();
      await step("network create", () =>
        cmd(["network", "create", "--subnet", SUBNET, "--gateway", subnetHost(SUBNET, 1), NETWORK]),
      );
      const health = REDIS_HEALTHCHECK;
      await step("Redis: create, copy, connect bridge, start", () =>
        createAndStart(
          [
            "--name",
            names.redis,
            ...common,
            "--network",
            NETWORK,
            "--ip",
            REDIS_IP,
            "--volume",
            `${PREFIX}redis-data:/data`,
            "--health-cmd",
            health.tests[1],
            "--health-interval",
            health.interval,
            "--health-timeout",
            health.timeout,
            "--health-retries",
            String(health.retries),
            images.redis,
            ...redisServerArgs(AUTH_FILE),
          ],
          auth,
          (id) => cmd(["network", "connect", "bridge", id]),
        ),
      );
      const env = Object.entries(appEnv("redis", true)).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
      await step("app, redis-cli and probe side by side", () =>
        Promise.all([
          createAndStart(
            ["--name", names.app, ...common, ...onNetwork, "-p", `${PORT}:${APP_PORT}`, ...env, images.app],
            secret,
          ),
          createAndStart(
            [
              "--name",
              names.cli,
              ...common,
              ...onNetwork,
              "-t",
              "-i",
              "--init",
              images.redis,
              "redis-cli",
              "-h",
              "redis",
            ],
            secret,
          ),
          createAndStart([
            "--name",
            probe,
            ...common,
            ...onNetwork,
            "--init",
            images.probe,
            "sleep",
            "2147483647",
          ]),
        ]),
      );
      const upMs = now() - start;
      await step("wait for the first 200", () => firstOk(PORT));
      const firstOkMs = now() - start;
      const remove = (...containers: string[]) =>
        cmd(["stop", ...GRACE, ...containers]).then(() => cmd(["rm", "--volumes", ...containers]));
      const down = now();
      await step("stop and remove app, redis-cli, probe", () => remove(names.app, names.cli, probe));
      await step("stop and remove Redis", () => remove(names.redis));
      await step("network rm", () => cmd(["network", "rm", NETWORK]));
      const cycleMs = now() - start;
      return { upMs, firstOkMs, verifiedMs: null, downMs: now() - down, cycleMs, steps };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      // The data volume outlives the cycle, as the stack's outlives `destroy`: it goes untimed.
      await docker(["volume", "rm", `${PREFIX}redis-data`]).catch(() => undefined);
    }
  },
};
