// The compose path: bench/compose.yaml (the tutorial's three containers on the default bridge, the
// same images) with whichever compose is installed: `up -d`, the first 200 and `down`, each timed.
// Compose verifies nothing, and neither does this path beyond the first 200.
import * as path from "path";
import { docker } from "../harness";
import { Images, Path } from "./results";
import { exec, firstOk, now } from "./setup";

const PORT = 3174;
let command = ["docker", "compose"];

function compose(images: Images, args: string[]): Promise<string> {
  const file = ["--project-name", "bench-c", "--file", path.join(__dirname, "compose.yaml")];
  const env = { REDIS_IMAGE: images.redis, APP_IMAGE: images.app, APP_PORT: String(PORT) };
  return exec(command[0], [...command.slice(1), ...file, ...args], 120_000, env);
}

export const composePath: Path = {
  id: "compose",
  label: "compose",
  // scripts/bench.sh installs Debian's docker-compose (v1) where no `docker compose` (v2) runs.
  async open() {
    const v2 = await exec("docker", ["compose", "version", "--short"], 30_000).catch(() => undefined);
    command = v2 ? ["docker", "compose"] : ["docker-compose"];
    const version = v2 ?? (await exec("docker-compose", ["version", "--short"], 30_000));
    return `${command.join(" ")} ${version.trim()}`;
  },
  async run(images) {
    const start = now();
    await compose(images, ["up", "--detach"]);
    const upMs = now() - start;
    await firstOk(PORT);
    const firstOkMs = now() - start;
    await compose(images, ["down"]);
    const cycleMs = now() - start;
    // The named data volume outlives `down`, as the stack's outlives `destroy`: it goes untimed.
    await docker(["volume", "rm", "bench-c-redis-data"]);
    const downMs = cycleMs - firstOkMs;
    const steps = { "up -d": upMs, "wait for the first 200": firstOkMs - upMs, down: downMs };
    return { upMs, firstOkMs, verifiedMs: null, downMs, cycleMs, steps };
  },
};
