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
 * with a TTY and stdin open so that `docker attach <name>` gives the interactive prompt (press Enter
 * to see it; `KEYS *`, and Ctrl-P Ctrl-Q to detach: `QUIT` ends redis-cli, which Docker restarts). The password, if any, is in its environment as REDISCLI_AUTH, which redis-cli reads.
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
        // A detached TTY has no size yet, and redis-cli's line editor would then ask the terminal for
        // one and block until an answer that nobody attached is there to give. Setting a size first
        // keeps the prompt usable for whoever attaches later (the client's size replaces it then).
        command: [
          "sh",
          "-c",
          'stty cols 80 rows 24 2>/dev/null; exec redis-cli -h "$1"',
          "redis-cli",
          config.linkAlias,
        ],
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
