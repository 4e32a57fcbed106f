import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { StackNetwork } from "./StackNetwork";

// What the data store is made of on either target: the same args, image, volume and network.

/** Where Redis keeps its data. */
export interface DataVolumeArgs {
  /** Volume name; a volume of that name that already exists is used as it is, data and all. */
  name: string;
  /** Keep the volume (and the data) when the stack is destroyed. */
  retain: boolean;
}

/** What Redis is given on either target. */
export interface RedisArgs {
  /** Container or service name, e.g. redis-server. */
  name: string;
  /** Redis image reference (redis-cli comes with it). */
  image: string;
  /** The network the stack owns, by name and IPv4 subnet. */
  network: { name: string; subnet: string };
  volume: DataVolumeArgs;
  /** The alias clients reach Redis by. */
  alias: string;
  /**
   * Redis requires it; it reaches Redis as a file, never on its command line or in its env. Absent:
   * no password at all (redisAuth: none), and Redis takes clients from other containers without one.
   */
  password?: pulumi.Input<string>;
}

/**
 * The Redis image (kept when the stack goes: other stacks and users may run it) and the named
 * volume Redis keeps its data on. Its fixed name means the old volume goes before a replacement
 * takes the name.
 */
export function redisImageAndVolume(
  name: string,
  args: Pick<RedisArgs, "image" | "volume">,
  opts: pulumi.CustomResourceOptions,
): { image: docker.RemoteImage; volume: docker.Volume } {
  return {
    image: new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, opts),
    volume: new docker.Volume(
      `${name}-data`,
      { name: args.volume.name },
      { ...opts, retainOnDelete: args.volume.retain, deleteBeforeReplace: true },
    ),
  };
}

/**
 * The stack's own network: a bridge for plain containers, an attachable overlay on a swarm (plain
 * containers join it too), with the subnet's first host as the gateway.
 */
export function stackNetwork(
  name: string,
  network: RedisArgs["network"],
  driver: "bridge" | "overlay",
  opts: pulumi.ComponentResourceOptions,
): StackNetwork {
  return new StackNetwork(`${name}-network`, { ...network, driver }, opts);
}
