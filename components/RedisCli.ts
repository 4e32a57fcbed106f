import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../lib/config";
import { LinkArgs, LinkedContainer } from "./LinkedContainer";

export interface RedisCliArgs {
  config: StackConfig;
  image: pulumi.Input<string>;
  link: LinkArgs;
  password?: pulumi.Output<string>;
}

/**
 * The tutorial's `docker run -it --link redis-server:redis redis redis-cli -h redis`, kept running
 * with a TTY and stdin open so that `docker attach <name>` gives the interactive prompt (`KEYS *`,
 * `QUIT`). The password, if any, is in its environment as REDISCLI_AUTH, which redis-cli reads.
 */
export class RedisCli extends pulumi.ComponentResource {
  readonly container: LinkedContainer;
  readonly attach: string;

  constructor(name: string, args: RedisCliArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:cli:RedisCli", name, {}, opts);
    const { config } = args;
    this.container = new LinkedContainer(
      name,
      {
        name: config.cliName,
        image: args.image,
        link: args.link,
        command: ["redis-cli", "-h", config.linkAlias],
        envs: pulumi
          .output(args.password)
          .apply((password) => (password ? [`REDISCLI_AUTH=${password}`] : [])),
        tty: true,
        stdinOpen: true,
        // redis-cli ignores SIGTERM as PID 1; docker-init passes it on, so it stops at once.
        init: true,
      },
      { parent: this },
    );
    this.attach = `docker attach ${config.cliName}`;
    this.registerOutputs({ attach: this.attach });
  }
}
