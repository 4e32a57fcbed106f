// The compose path: bench/compose.yaml (the tutorial's three containers, the stack's images, the
// same published port behaviour) with whichever compose is installed: `up -d`, the first 200, and
// `down`, each timed. Compose verifies nothing; neither does this path beyond the first 200.
import * as path from "path";
import { docker } from "../harness";
import { exec, now } from "./exec";
import { ComposeRep } from "./results";
import { firstOk } from "./ready";

export interface ComposeSettings {
  /** `docker compose` or `docker-compose`. */
  command: string[];
  images: { redis: string; app: string };
  port: number;
  readyTimeoutMs: number;
}

const FILE = path.join(__dirname, "compose.yaml");
const PROJECT = "bench-c";
export const COMPOSE_VOLUME = "bench-c-redis-data";
const TIMEOUT_MS = 120_000;

function compose(settings: ComposeSettings, args: string[]): Promise<unknown> {
  const [command, ...first] = settings.command;
  return exec(command, [...first, "--project-name", PROJECT, "--file", FILE, ...args], {
    timeoutMs: TIMEOUT_MS,
    env: {
      ...process.env,
      REDIS_IMAGE: settings.images.redis,
      APP_IMAGE: settings.images.app,
      APP_PORT: String(settings.port),
    },
  });
}

/** One cycle from nothing to nothing; the data volume goes afterwards (untimed), as the stack's does. */
export async function runComposePath(settings: ComposeSettings): Promise<ComposeRep> {
  const start = now();
  await compose(settings, ["up", "--detach"]);
  const upMs = now() - start;
  await firstOk(settings.port, settings.readyTimeoutMs);
  const firstOkMs = now() - start;
  const downStart = now();
  await compose(settings, ["down"]);
  const end = now();
  await docker(["volume", "rm", COMPOSE_VOLUME]);
  return { upMs, firstOkMs, downMs: end - downStart, cycleMs: end - start };
}

/** `down` of whatever a failed cycle left (untimed clean-up). */
export async function composeDown(settings: ComposeSettings): Promise<void> {
  await compose(settings, ["down", "--volumes"]);
}
