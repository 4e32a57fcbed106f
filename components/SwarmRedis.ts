import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { StackConfig } from "../lib/config";
import { LinkSource } from "../lib/links";
import { redisImageAndVolume } from "./redisData";
import { serviceRevision, stackLabels } from "./swarmService";

export interface SwarmRedisArgs {
  config: StackConfig;
  /** When set, Redis requires it (AUTH); always a secret. */
  password?: pulumi.Output<string>;
}

const PASSWORD_FILE = "redis-auth.conf";

/**
 * The tutorial's data store as a swarm service (`docker service create --name redis-server
 * --replicas 1 --mount source=redis-server-data,target=/data --network name=<overlay>,alias=redis
 * redis`): the same Redis, AOF and never published, as one replica pinned to the node the stack
 * talks to, because its named volume is local to that node. It owns the attachable overlay network
 * on which everything else reaches it by the alias. The alias resolves straight to the task's address
 * (endpoint mode dnsrr): a virtual IP would need IPVS and does not answer ping.
 */
export class SwarmRedis extends pulumi.ComponentResource {
  readonly network: docker.Network;
  readonly service: docker.Service;
  /** The Redis image (redis-cli comes with it). */
  readonly imageId: pulumi.Output<string>;
  /** Changes whenever the service is replaced or updated. */
  readonly revision: pulumi.Output<string>;
  /** The `redis` stack output (a task has no fixed address; the checks report the one they saw). */
  readonly outputs: { name: pulumi.Output<string>; id: pulumi.Output<string> };
  /**
   * What links are made from. A task has no fixed address and the overlay has no legacy links, so
   * in network mode (the only one here) a link takes nothing from it but the name.
   */
  readonly linkSource: pulumi.Output<LinkSource>;

  constructor(name: string, args: SwarmRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:swarm:SwarmRedis", name, {}, opts);
    const { config } = args;
    const parent = { parent: this };

    // The node this engine is: Redis is pinned to it (its volume lives here). Fails with a clear
    // message when the engine is not a swarm manager, before any service is created.
    const node = new command.local.Command(
      `${name}-node`,
      {
        create: [
          "state=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}')",
          'case "$state" in',
          '  "active true "*) echo "${state##* }" ;;',
          '  *) echo "target swarm: the Docker engine must be a swarm manager (docker info says: $state); run docker swarm init, or point DOCKER_HOST at a manager" >&2; exit 1 ;;',
          "esac",
        ].join("\n"),
        logging: "stderr",
      },
      parent,
    );

    this.network = new docker.Network(
      `${name}-network`,
      {
        name: config.networkName,
        driver: "overlay",
        // Plain containers (redis-cli, the probe) join it too.
        attachable: true,
        ipamConfigs: [{ subnet: config.networkSubnet }],
      },
      { ...parent, deleteBeforeReplace: true },
    );

    const { image, volume } = redisImageAndVolume(name, config, parent);
    this.imageId = image.imageId;

    // The password as a swarm secret: a file in the task (/run/secrets/...), never on the command
    // line or in the service's env, where `docker service inspect` would show it. Secrets cannot
    // change and one in use cannot be removed, so a new password makes a new secret, named after a
    // digest of its content (only managers see secret names, and they can read the secret anyway).
    const secret = args.password
      ? new docker.Secret(
          `${name}-auth`,
          {
            name: args.password.apply(
              (password) =>
                `${config.redisName}-auth-${crypto.createHash("sha256").update(password).digest("hex").slice(0, 12)}`,
            ),
            data: args.password.apply((password) =>
              Buffer.from(`requirepass ${password}\n`).toString("base64"),
            ),
            labels: stackLabels(),
          },
          parent,
        )
      : undefined;

    this.service = new docker.Service(
      name,
      {
        name: config.redisName,
        labels: stackLabels(),
        mode: { replicated: { replicas: 1 } },
        taskSpec: {
          containerSpec: {
            // An image ID needs no registry; a digest lets other nodes pull the same image.
            image: pulumi
              .all([image.repoDigest, image.imageId])
              .apply(([digest, id]) => (digest ? digest : id)),
            commands: [
              "redis-server",
              ...(secret ? [`/run/secrets/${PASSWORD_FILE}`] : ["--protected-mode", "no"]),
              "--appendonly",
              "yes",
              "--appendfsync",
              "everysec",
            ],
            secrets: secret
              ? [{ secretId: secret.id, secretName: secret.name, fileName: PASSWORD_FILE }]
              : [],
            mounts: [{ type: "volume", source: volume.name, target: "/data" }],
            healthcheck: {
              tests: ["CMD-SHELL", "redis-cli ping | grep -qE 'PONG|NOAUTH'"],
              interval: "1s",
              timeout: "1s",
              retries: 30,
            },
            // Set though empty (also `window` below): the provider reads them back so, and would
            // otherwise show a change to the service on every `pulumi up`.
            env: {},
            sysctl: {},
            stopGracePeriod: "30s",
          },
          placement: { constraints: [pulumi.interpolate`node.id==${node.stdout}`] },
          networksAdvanceds: [{ id: this.network.id, aliases: [config.linkAlias] }],
          restartPolicy: { condition: "any", delay: "1s", window: "0s" },
        },
        endpointSpec: { mode: "dnsrr" },
        // Never two Redis on one AOF: the old task stops before the new one starts.
        updateConfig: { parallelism: 1, order: "stop-first", failureAction: "pause" },
        convergeConfig: { delay: "1s", timeout: `${config.readyTimeoutSeconds}s` },
      },
      parent,
    );

    this.revision = serviceRevision(this.service);
    this.outputs = { name: this.service.name, id: this.service.id };
    this.linkSource = pulumi
      .all([this.service.name, this.service.id])
      .apply(([serviceName, id]) => ({ name: serviceName, id, ip: "", exposedPorts: [], env: [] }));

    this.registerOutputs({ revision: this.revision });
  }
}
