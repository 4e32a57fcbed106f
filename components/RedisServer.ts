import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { StackConfig } from "../lib/config";
import { LinkSource, parsePortSpec } from "../lib/links";
import { redisImageAndVolume } from "./redisData";

export interface RedisServerArgs {
  config: StackConfig;
  /** When set, Redis requires it (AUTH); always a secret. */
  password?: pulumi.Output<string>;
}

/**
 * The tutorial's data store (`docker run -d --name redis-server redis`), plus what makes it a
 * dependable link source: a network the stack owns on which Redis has a fixed address, so links
 * keep pointing at it across restarts; its data on a named volume with AOF; never published on the
 * host. In legacy mode Redis also stays on Docker's default bridge, where a real `--link` finds it.
 */
export class RedisServer extends pulumi.ComponentResource {
  readonly network: docker.Network;
  readonly container: docker.Container;
  /** The Redis image (redis-cli comes with it). */
  readonly imageId: pulumi.Output<string>;
  /** Changes whenever the container is replaced: the checks re-run then. */
  readonly revision: pulumi.Output<string>;
  /** The `redis` stack output. */
  readonly outputs: { name: pulumi.Output<string>; id: pulumi.Output<string> };
  /** What a link to this container is made from: name, id, hostname, address, ports and env. */
  readonly linkSource: pulumi.Output<LinkSource>;

  constructor(name: string, args: RedisServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:redis:RedisServer", name, {}, opts);
    const { config } = args;
    const parent = { parent: this };

    this.network = new docker.Network(
      `${name}-network`,
      {
        name: config.networkName,
        driver: "bridge",
        ipamConfigs: [{ subnet: config.networkSubnet }],
      },
      // Fixed names: the old network or volume must go before its replacement can take the name.
      { ...parent, deleteBeforeReplace: true },
    );

    const { image, volume } = redisImageAndVolume(name, config, parent);
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

    // AOF with an fsync every second: a crash loses at most about one second of counts. A password
    // goes into a config file inside the container rather than onto the command line, where
    // `docker inspect` and `ps` would show it.
    const passwordFile = "/usr/local/etc/redis/auth.conf";
    const redisArgs = [
      "redis-server",
      ...(args.password ? [passwordFile] : ["--protected-mode", "no"]),
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
    ];

    this.container = new docker.Container(
      name,
      {
        name: config.redisName,
        image: image.imageId,
        command: redisArgs,
        uploads: args.password
          ? [{ file: passwordFile, content: pulumi.interpolate`requirepass ${args.password}\n` }]
          : [],
        restart: "unless-stopped",
        securityOpts: ["no-new-privileges:true"],
        volumes: [{ volumeName: volume.name, containerPath: "/data" }],
        networksAdvanced: [
          ...(config.linkMode === "legacy" ? [{ name: "bridge" }] : []),
          {
            name: this.network.name,
            ipv4Address: config.redisAddress,
            ...(config.linkMode === "network" ? { aliases: [config.linkAlias] } : {}),
          },
        ],
        // Answers (PONG, or NOAUTH when a password is set) as soon as Redis accepts connections.
        healthcheck: {
          tests: ["CMD-SHELL", "redis-cli ping | grep -qE 'PONG|NOAUTH'"],
          interval: "1s",
          timeout: "1s",
          retries: 30,
        },
        destroyGraceSeconds: 5,
      },
      // A fixed name and address: the old container must go before its replacement starts.
      { ...parent, deleteBeforeReplace: true },
    );

    this.revision = this.container.id;
    this.outputs = { name: this.container.name, id: this.container.id };

    this.linkSource = pulumi
      .all([this.container.name, this.container.id, this.container.hostname, imageConfig.stdout])
      .apply(([containerName, id, hostname, imageConfigJson]) => {
        const imageConfigParsed = JSON.parse(imageConfigJson) as {
          Env?: string[] | null;
          ExposedPorts?: Record<string, unknown> | null;
        };
        return {
          name: containerName,
          id,
          hostname,
          ip: config.redisAddress,
          exposedPorts: Object.keys(imageConfigParsed.ExposedPorts ?? {}).map(parsePortSpec),
          env: imageConfigParsed.Env ?? [],
        };
      });

    this.registerOutputs({ linkSource: this.linkSource });
  }
}
