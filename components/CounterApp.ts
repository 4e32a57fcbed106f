import * as pulumi from "@pulumi/pulumi";
import { LinkedContainer } from "./LinkedContainer";
import { APP_PORT, AppBaseArgs, appEnv, PASSWORD_FILE } from "./appBase";
import type { App } from "./target";

export type CounterAppArgs = AppBaseArgs;

/**
 * The tutorial's example app (`docker run -d -p 3000:3000 --link redis-server:redis
 * katacoda/redis-node-docker-example`), published on `port` and linked to Redis. It reaches Redis
 * by the alias, whichever link mode.
 */
export class CounterApp extends pulumi.ComponentResource implements App {
  readonly container: LinkedContainer;
  readonly checked: App["checked"];
  readonly reachesRedis: App["reachesRedis"];
  readonly url: string;
  readonly revision: pulumi.Output<string>;
  readonly outputs: App["outputs"];
  readonly link: App["link"];

  constructor(name: string, args: CounterAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:app:CounterApp", name, {}, opts);
    this.container = new LinkedContainer(
      name,
      {
        name: args.name,
        image: args.image,
        link: args.link,
        envs: Object.entries(appEnv(args.link.alias, args.password !== undefined)).map(
          ([key, value]) => `${key}=${value}`,
        ),
        files: args.password === undefined ? [] : [{ path: PASSWORD_FILE, content: args.password }],
        ports: [{ internal: APP_PORT, external: args.port }],
      },
      { parent: this },
    );
    this.checked = this.container.ref;
    this.reachesRedis = { mode: args.link.mode, via: "network DNS" };
    this.url = `http://${args.host}:${args.port}/`;
    this.revision = this.container.revision;
    this.outputs = { name: this.container.container.name, url: this.url };
    this.link = this.container.linkOutputs;
    this.registerOutputs({ url: this.url, revision: this.revision });
  }
}
