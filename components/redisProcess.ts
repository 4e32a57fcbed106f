// How Redis runs, the same on both targets.

/**
 * `redis-server` reading its password from a config file (a command-line password would show in
 * `docker inspect` and `ps`), with the append-only file fsynced every second: a crash loses at most
 * about one second of counts. Protected mode stays on. Without a password file (redisAuth: none)
 * protected mode goes off, or Redis would refuse every client from another container: that is the
 * open data store the tutorial runs, on the stack's network only (never published on the host).
 */
export function redisServerArgs(authFile: string | undefined): string[] {
  const persistence = ["--appendonly", "yes", "--appendfsync", "everysec"];
  return authFile === undefined
    ? ["redis-server", ...persistence, "--protected-mode", "no"]
    : ["redis-server", authFile, ...persistence];
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
