import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { RedisArgs, redisImageAndVolume, stackNetwork } from "../redisBase";
import type { StackNetwork } from "../StackNetwork";
import { authConfig, REDIS_HEALTHCHECK, redisServerArgs } from "../redisProcess";
import { serviceRevision } from "../revision";
import type { DataStore } from "../target";
import { contentSecret, pullableImage, stackService, thisNode } from "./service";

export interface SwarmRedisArgs extends RedisArgs {
  /** How long `pulumi up` waits for the service to converge, in seconds. */
  readyTimeoutSeconds: number;
}

const AUTH_FILE = "redis-auth.conf";

/**
 * The tutorial's data store as a swarm service (`docker service create --name redis-server
 * --replicas 1 --mount source=redis-server-data,target=/data --network name=<overlay>,alias=redis
 * redis`): the same Redis, AOF, password and never published, as one replica pinned to the node the
 * stack talks to, because its named volume is local to that node. It owns the attachable overlay on
 * which everything else reaches it by the alias. The alias resolves straight to the task's address
 * (endpoint mode dnsrr): a virtual IP would need IPVS and does not answer ping.
 */
export class SwarmRedis extends pulumi.ComponentResource implements DataStore {
  readonly network: StackNetwork;
  readonly service: docker.Service;
  readonly imageId: pulumi.Output<string>;
  readonly linkSource: DataStore["linkSource"];
  readonly address: DataStore["address"];
  readonly checked: DataStore["checked"];
  readonly revision: pulumi.Output<string>;
  readonly outputs: DataStore["outputs"];

  constructor(name: string, args: SwarmRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:swarm:SwarmRedis", name, {}, opts);
    const parent = { parent: this };

    // The node this engine is: Redis is pinned to it (its volume lives here).
    const node = thisNode(`${name}-node`, parent);

    this.network = stackNetwork(name, args.network, "overlay", parent);

    const { image, volume } = redisImageAndVolume(name, args, parent);
    this.imageId = image.imageId;
    const auth =
      args.password === undefined
        ? undefined
        : contentSecret(
            `${name}-auth`,
            `${args.name}-auth`,
            pulumi.output(args.password).apply(authConfig),
            parent,
          );

    this.service = stackService(
      name,
      {
        name: args.name,
        image: pullableImage(image),
        replicas: 1,
        network: { id: this.network.id, aliases: [args.alias] },
        containerSpec: {
          // Arguments to the image's own entrypoint (which `commands` would replace), as on plain containers.
          args: redisServerArgs(auth && `/run/secrets/${AUTH_FILE}`),
          secrets: auth && [{ secretId: auth.id, secretName: auth.name, fileName: AUTH_FILE }],
          mounts: [{ type: "volume", source: volume.name, target: "/data" }],
          healthcheck: REDIS_HEALTHCHECK,
        },
        placement: { constraints: [pulumi.interpolate`node.id==${node}`] },
        endpointSpec: { mode: "dnsrr" },
        // Never two Redis on one AOF: the old task stops before the new one starts.
        updateConfig: { parallelism: 1, order: "stop-first", failureAction: "pause" },
        readyTimeoutSeconds: args.readyTimeoutSeconds,
      },
      parent,
    );

    this.revision = serviceRevision(this.service);
    this.outputs = { name: this.service.name, id: this.service.id };
    this.address = pulumi.output({ service: args.name, network: args.network.name });
    this.checked = pulumi
      .all([this.service.name, this.service.id])
      .apply(([service, id]) => ({ service, id }));
    // A task has no fixed address and the overlay has no legacy links, so a link (network mode, the
    // only one here) takes nothing from Redis but the name.
    this.linkSource = pulumi
      .all([this.service.name, this.service.id])
      .apply(([serviceName, id]) => ({ name: serviceName, id, ip: "", exposedPorts: [], env: [] }));

    this.registerOutputs({ revision: this.revision });
  }
}
