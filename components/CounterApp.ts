import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { StackConfig } from "../lib/config";
import { LinkArgs, LinkedContainer } from "./LinkedContainer";

const APP_DIR = path.join(__dirname, "..", "app");
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

  constructor(name: string, args: CounterAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:app:CounterApp", name, {}, opts);
    const { config } = args;
    const image = config.appImage ?? this.buildImage(name, config).stdout;

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
    this.registerOutputs({ url: this.url });
  }

  /**
   * `docker build` of app/ with the classic builder, which uses local base images as they are (no
   * registry needed). The tag carries a hash of the sources, so an edit rebuilds and a no-op `up`
   * does nothing; destroy removes the image.
   */
  private buildImage(name: string, config: StackConfig): command.local.Command {
    const hash = appSourceHash(APP_DIR);
    const tag = `container-links/${config.appName.toLowerCase()}:${hash}`;
    return new command.local.Command(
      `${name}-image`,
      {
        create: `DOCKER_BUILDKIT=0 docker build --quiet --build-arg NODE_IMAGE="$NODE_IMAGE" --tag "$TAG" "$CONTEXT"`,
        delete: `docker image rm "$TAG" >/dev/null || echo "warning: could not remove image $TAG" >&2`,
        environment: { NODE_IMAGE: config.nodeImage, TAG: tag, CONTEXT: APP_DIR },
        triggers: [hash, config.nodeImage],
        logging: "stderr",
      },
      { parent: this },
    );
  }
}

/**
 * A short hash of what goes into the app image: the Dockerfile, its ignore file, the package
 * manifests (which pin node_modules) and the app's own .js files (not its tests).
 */
export function appSourceHash(dir: string): string {
  const files = fs
    .readdirSync(dir)
    .filter(
      (f) =>
        f.endsWith(".js") || ["Dockerfile", ".dockerignore", "package.json", "package-lock.json"].includes(f),
    )
    .sort();
  const hash = crypto.createHash("sha256");
  for (const file of files) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(dir, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}
