import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { LinkMode, LinkSource, parsePortSpec } from "../lib/links";
import { subnetHost } from "../lib/ipv4";
import { RedisArgs, redisImageAndVolume, stackNetwork } from "./redisBase";
import type { StackNetwork } from "./StackNetwork";
import { containerRevision } from "./revision";
import { authConfig, REDIS_HEALTHCHECK, redisServerArgs } from "./redisProcess";
import type { DataStore } from "./target";

export interface RedisServerArgs extends RedisArgs {
  /** Legacy links find Redis on the default bridge too; network links by the alias on the stack's network. */
  linkMode: LinkMode;
}

/** Redis's address is the 10th host of the stack's subnet, clear of the gateway (the 1st). */
export const REDIS_HOST_NUMBER = 10;
/** Redis reads its password from this config file (`requirepass <password>`). */
export const AUTH_FILE = "/usr/local/etc/redis/auth.conf";

/**
 * The tutorial's data store (`docker run -d --name redis-server redis`), plus what makes it a
 * dependable link source: a network the stack owns on which Redis has a fixed address, so links
 * keep pointing at it across restarts; its data on a named volume with AOF; a password; never
 * published on the host. With legacy links Redis also stays on Docker's default bridge, where a
 * real `docker run --link` finds it.
 */
export class RedisServer extends pulumi.ComponentResource implements DataStore {
  readonly network: StackNetwork;
  readonly container: docker.Container;
  readonly imageId: pulumi.Output<string>;
  readonly linkSource: pulumi.Output<LinkSource>;
  readonly address: DataStore["address"];
  readonly checked: DataStore["checked"];
  readonly revision: pulumi.Output<string>;
  readonly outputs: DataStore["outputs"];

  constructor(name: string, args: RedisServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:redis:RedisServer", name, {}, opts);
    const parent = { parent: this };
    const ip = subnetHost(args.network.subnet, REDIS_HOST_NUMBER);

    this.network = stackNetwork(name, args.network, "bridge", parent);

    const { image, volume } = redisImageAndVolume(name, args, parent);
    this.imageId = image.imageId;

    // The image's ENV and EXPOSE, which Docker's link copies into the linked containers.
    const imageConfig = new command.local.Command(
      `${name}-image-config`,
      {
        create: `docker image inspect --format '{{json .Config}}' "$IMAGE"`,
        environment: { IMAGE: image.imageId },
        triggers: [image.imageId],
        logging: "none",
      },
      parent,
    );

    this.container = new docker.Container(
      name,
      {
        name: args.name,
        image: image.imageId,
        command: redisServerArgs(args.password === undefined ? undefined : AUTH_FILE),
        uploads:
          args.password === undefined
            ? []
            : [{ file: AUTH_FILE, content: pulumi.output(args.password).apply(authConfig) }],
        restart: "unless-stopped",
        securityOpts: ["no-new-privileges:true"],
        volumes: [{ volumeName: volume.name, containerPath: "/data" }],
        networksAdvanced: [
          ...(args.linkMode === "legacy" ? [{ name: "bridge" }] : []),
          {
            name: this.network.name,
            ipv4Address: ip,
            ...(args.linkMode === "network" ? { aliases: [args.alias] } : {}),
          },
        ],
        healthcheck: REDIS_HEALTHCHECK,
        destroyGraceSeconds: 5,
      },
      // A fixed name and address: the old container must go before its replacement starts.
      { ...parent, deleteBeforeReplace: true },
    );

    this.address = pulumi.output({ ip });
    this.checked = pulumi
      .all([this.container.name, this.container.id])
      .apply(([container, id]) => ({ container, id }));
    this.revision = containerRevision(this.container);
    this.outputs = { name: this.container.name, id: this.container.id };
    this.linkSource = pulumi
      .all([this.container.name, this.container.id, this.container.hostname, imageConfig.stdout])
      .apply(([containerName, id, hostname, configJson]) => {
        const config = JSON.parse(configJson) as {
          Env?: string[] | null;
          ExposedPorts?: Record<string, unknown> | null;
        };
        return {
          name: containerName,
          id,
          hostname,
          ip,
          exposedPorts: Object.keys(config.ExposedPorts ?? {}).map(parsePortSpec),
          env: config.Env ?? [],
        };
      });

    this.registerOutputs({ linkSource: this.linkSource, revision: this.revision });
  }
}
