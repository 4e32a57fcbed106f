// What the app (app/server.js) is told through its environment, the same on both targets.

/** The port the app listens on inside its container. */
export const APP_PORT = 3000;

/**
 * Where clients of Redis (the app, redis-cli) find its password: a file, never an environment
 * variable (`docker inspect` shows those). Docker's `_FILE` convention names it to the app.
 */
export const PASSWORD_FILE = "/run/secrets/redis-password";

/** The app's environment: Redis by the link alias, the password's file, the port. */
export function appEnv(alias: string): Record<string, string> {
  return { REDIS_HOST: alias, REDIS_PASSWORD_FILE: PASSWORD_FILE, PORT: String(APP_PORT) };
}
