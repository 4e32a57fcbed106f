import * as pulumi from "@pulumi/pulumi";
import { LinkArgs, LinkedContainer } from "./LinkedContainer";
import { PASSWORD_FILE } from "./appBase";
import type { CheckedContainer } from "./Verification";

export interface RedisCliArgs {
  /** Container name, e.g. redis-cli. */
  name: string;
  /** An image with redis-cli in it (Redis's own). */
  image: pulumi.Input<string>;
  link: LinkArgs;
  /** Redis's password (a secret): written into the container as a file redis-cli logs in with. Absent: Redis has none. */
  password?: pulumi.Input<string>;
}

/**
 * The tutorial's `docker run -it --link redis-server:redis redis redis-cli -h redis`, kept running
 * with a TTY and stdin open so that `docker attach <name>` gives the interactive prompt (press Enter
 * to see it; `KEYS *`, and Ctrl-P Ctrl-Q to detach: `QUIT` ends redis-cli, which Docker restarts).
 */
export class RedisCli extends pulumi.ComponentResource {
  readonly container: LinkedContainer;
  /** The container as the keys check looks for it, and the file in it holding the password (if any). */
  readonly checked: CheckedContainer & { passwordFile?: string };
  /** The `cli` stack output: its name, and the command that gives the prompt. */
  readonly outputs: { name: pulumi.Output<string>; attach: string };

  constructor(name: string, args: RedisCliArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:cli:RedisCli", name, {}, opts);
    this.container = new LinkedContainer(
      name,
      {
        name: args.name,
        image: args.image,
        link: args.link,
        // A detached TTY has no size yet, and redis-cli's line editor would then ask the terminal for
        // one and block until an answer that nobody attached is there to give: a size is set first
        // (the client's replaces it on attach). The password goes from its file into redis-cli's own
        // environment only (REDISCLI_AUTH), so nobody types it and `docker inspect` does not show it.
        command:
          args.password === undefined
            ? [
                "sh",
                "-c",
                'stty cols 80 rows 24 2>/dev/null; exec redis-cli -h "$1"',
                "redis-cli",
                args.link.alias,
              ]
            : [
                "sh",
                "-c",
                'stty cols 80 rows 24 2>/dev/null; REDISCLI_AUTH="$(cat "$1")" exec redis-cli -h "$2"',
                "redis-cli",
                PASSWORD_FILE,
                args.link.alias,
              ],
        files: args.password === undefined ? [] : [{ path: PASSWORD_FILE, content: args.password }],
        interactive: true,
        // redis-cli ignores SIGTERM as PID 1; docker-init passes it on, so it stops at once.
        init: true,
      },
      { parent: this },
    );
    this.checked = {
      ref: this.container.ref,
      revision: this.container.revision,
      ...(args.password === undefined ? {} : { passwordFile: PASSWORD_FILE }),
    };
    this.outputs = { name: this.container.container.name, attach: `docker attach ${args.name}` };
    this.registerOutputs(this.outputs);
  }
}
