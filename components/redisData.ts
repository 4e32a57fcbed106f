import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

/** Where Redis keeps its data. */
export interface DataVolumeArgs {
  /** Volume name; a volume of that name that already exists is used as it is, data and all. */
  name: string;
  /** Keep the volume (and the data) when the stack is destroyed. */
  retain: boolean;
}

/**
 * The Redis image (kept when the stack goes: other stacks and users may run it) and the named
 * volume Redis keeps its data on, the same for both targets. Its fixed name means the old volume
 * goes before a replacement takes the name.
 */
export function redisImageAndVolume(
  name: string,
  image: string,
  volume: DataVolumeArgs,
  opts: pulumi.CustomResourceOptions,
): { image: docker.RemoteImage; volume: docker.Volume } {
  return {
    image: new docker.RemoteImage(`${name}-image`, { name: image, keepLocally: true }, opts),
    volume: new docker.Volume(
      `${name}-data`,
      { name: volume.name },
      { ...opts, retainOnDelete: volume.retain, deleteBeforeReplace: true },
    ),
  };
}
