import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

export interface RedisPasswordArgs {
  /** The password set with `pulumi config set --secret redisPassword`, if any: it wins. */
  configured?: pulumi.Output<string>;
}

/** 24 random bytes as 48 hex digits: fits every rule a password must meet here (see docs/config.md). */
const GENERATE = "od -An -N24 -tx1 /dev/urandom | tr -d ' \\n'";

/**
 * `redisAuth: none`: Redis without a password, said on every preview and update with what it opens
 * and how to go back. Returns no password.
 */
export function noRedisPassword(networkName: string): undefined {
  pulumi.log.warn(
    `redisAuth is "none": Redis runs without a password. Every container on network ${networkName} ` +
      "or linked to Redis can read and write all its data (Redis is still not published on the host). " +
      "Go back with: pulumi config rm redisAuth (docs/config.md).",
  );
  return undefined;
}

/**
 * Redis's password: the configured one, or else one generated once and kept, encrypted, in the
 * stack's state, so every later `up` reuses it. The generated one stays in the state while a
 * configured one is in use, so removing the setting goes back to it.
 */
export class RedisPassword extends pulumi.ComponentResource {
  /** Always a secret. */
  readonly value: pulumi.Output<string>;

  constructor(name: string, args: RedisPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:redis:RedisPassword", name, {}, opts);
    const generated = new command.local.Command(
      `${name}-generated`,
      { create: GENERATE, logging: "none" },
      // The engine stores stdout encrypted, whichever command plugin ran it.
      { parent: this, additionalSecretOutputs: ["stdout"] },
    );
    this.value = pulumi.secret(args.configured ?? generated.stdout);
    this.registerOutputs({});
  }
}
