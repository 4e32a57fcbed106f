// How Redis runs, the same on both targets.

/**
 * `redis-server` reading its password from a config file (a command-line password would show in
 * `docker inspect` and `ps`), with the append-only file fsynced every second: a crash loses at most
 * about one second of counts. Protected mode stays on.
 */
export function redisServerArgs(authFile: string): string[] {
  return ["redis-server", authFile, "--appendonly", "yes", "--appendfsync", "everysec"];
}

/** The content of that config file. */
export function authConfig(password: string): string {
  return `requirepass ${password}\n`;
}

/** Healthy as soon as Redis accepts connections: it answers PING with NOAUTH until a client logs in. */
export const REDIS_HEALTHCHECK = {
  tests: ["CMD-SHELL", "redis-cli ping | grep -qE 'PONG|NOAUTH'"],
  interval: "1s",
  timeout: "1s",
  retries: 30,
};
