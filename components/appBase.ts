import * as pulumi from "@pulumi/pulumi";
import type { LinkArgs } from "./LinkedContainer";

// What the app (app/server.js) is given and told through its environment, the same on both targets.

/** What the app is given on either target. */
export interface AppBaseArgs {
  /** Container or service name, e.g. counter-app. */
  name: string;
  /** The app's image (built from app/, or a prebuilt one). */
  image: pulumi.Input<string>;
  /** Host port the app is published on. */
  port: number;
  /** Where that port is reached: the machine of the engine the stack talks to (lib/engineHost.ts). */
  host: string;
  /** The link to Redis (on a swarm only its alias and network count: DNS on the overlay). */
  link: LinkArgs;
  /** Redis's password (a secret): the app reads it from a file. Absent: Redis has none (redisAuth: none). */
  password?: pulumi.Input<string>;
}

/** The port the app listens on inside its container. */
export const APP_PORT = 3000;

/**
 * Where clients of Redis (the app, redis-cli) find its password: a file, never an environment
 * variable (`docker inspect` shows those). Docker's `_FILE` convention names it to the app.
 */
export const PASSWORD_FILE = "/run/secrets/redis-password";

/** The app's environment: Redis by the link alias, the password's file (when there is one), the port. */
export function appEnv(alias: string, withPassword: boolean): Record<string, string> {
  return {
    REDIS_HOST: alias,
    ...(withPassword ? { REDIS_PASSWORD_FILE: PASSWORD_FILE } : {}),
    PORT: String(APP_PORT),
  };
}
