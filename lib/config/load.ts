// The Pulumi adapter: feeds parseConfig from the stack's configuration and hands the Redis password
// back as a secret Output. Call loadConfig() once, at the top of the program, and pass the result down.
import * as pulumi from "@pulumi/pulumi";
import { InvalidConfigError } from "./errors";
import { parseConfig, StackConfig } from "./parse";

export interface LoadedConfig {
  config: StackConfig;
  /** Set only when `redisPassword` is configured; always a secret. */
  redisPassword?: pulumi.Output<string>;
}

/**
 * Reads and checks the `container-links:*` configuration. Invalid configuration stops the program with
 * a pulumi.RunError listing every problem (key and value, never a secret's value); Pulumi prints its
 * message without a stack trace. The original InvalidConfigError is its `cause`.
 */
export function loadConfig(): LoadedConfig {
  const cfg = new pulumi.Config();
  const prefix = `${cfg.name}:`;
  const presentKeys = Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
  // Which keys were set with --secret. The SDK exports isConfigSecret at run time but marks it
  // @internal (it is not in the typings), so it is looked up defensively; without it the check is
  // skipped. redisPassword cannot be declared `secret: true` in Pulumi.yaml, because a declared key
  // without a default becomes mandatory.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: unknown };
  const isConfigSecret = runtime.isConfigSecret;
  const isSecret =
    typeof isConfigSecret === "function"
      ? (key: string) => Boolean(isConfigSecret.call(runtime, prefix + key))
      : undefined;

  let config: StackConfig;
  try {
    // The plain text of redisPassword passes through here only to be checked; parseConfig never
    // returns it, and its errors say "(secret)" instead of the value.
    config = parseConfig((key) => cfg.get(key), { namespace: cfg.name, presentKeys, isSecret });
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      const runError = new pulumi.RunError(err.message);
      runError.cause = err;
      throw runError;
    }
    throw err;
  }

  // An empty password means no password, as for the other optional keys.
  const redisPassword = cfg.get("redisPassword") ? cfg.getSecret("redisPassword") : undefined;
  return redisPassword === undefined ? { config } : { config, redisPassword };
}
