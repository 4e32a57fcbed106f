import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../lib/config";
import { LinkArgs, LinkedContainer, LinkOutputs } from "./LinkedContainer";
import { buildAppImage } from "./AppImage";

const CONTAINER_PORT = 3000;

export interface CounterAppArgs {
  config: StackConfig;
  link: LinkArgs;
  password?: pulumi.Output<string>;
}

/**
 * The tutorial's example app (`docker run -d -p 3000:3000 --link redis-server:redis
 * katacoda/redis-node-docker-example`): built from app/ on `nodeImage`, or the prebuilt `appImage`,
 * published on `appPort` and linked to Redis. It reaches Redis by the alias, whichever link mode.
 */
export class CounterApp extends pulumi.ComponentResource {
  readonly container: LinkedContainer;
  readonly url: string;
  /** Changes whenever the container is replaced: the checks re-run then. */
  readonly revision: pulumi.Output<string>;
  /** The `app` stack output. */
  readonly outputs: { name: pulumi.Output<string>; url: string };
  /** The `link` stack output: the link the app got. */
  readonly link: LinkOutputs;

  constructor(name: string, args: CounterAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:app:CounterApp", name, {}, opts);
    const { config } = args;
    const image = config.appImage ?? buildAppImage(`${name}-image`, config, { parent: this }).stdout;

    this.container = new LinkedContainer(
      name,
      {
        name: config.appName,
        image,
        link: args.link,
        envs: pulumi
          .output(args.password)
          .apply((password) => [
            `REDIS_HOST=${config.linkAlias}`,
            `PORT=${CONTAINER_PORT}`,
            ...(password ? [`REDIS_PASSWORD=${password}`] : []),
          ]),
        ports: [{ internal: CONTAINER_PORT, external: config.appPort }],
      },
      { parent: this },
    );
    this.url = `http://localhost:${config.appPort}/`;
    this.revision = this.container.container.id;
    this.outputs = { name: this.container.container.name, url: this.url };
    this.link = this.container.linkOutputs;
    this.registerOutputs({ url: this.url });
  }
}

// Kept here too for callers that measure the build (bench/).
export { appSourceHash } from "./AppImage";
