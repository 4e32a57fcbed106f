import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { StackConfig } from "../lib/config";

/**
 * The Redis image (kept when the stack goes: other stacks and users may run it) and the named
 * volume Redis keeps its data on, the same for both targets. The volume outlives `pulumi destroy`
 * unless `retainData` is false; its fixed name means the old one goes before a replacement.
 */
export function redisImageAndVolume(
  name: string,
  config: StackConfig,
  opts: pulumi.CustomResourceOptions,
): { image: docker.RemoteImage; volume: docker.Volume } {
  const image = new docker.RemoteImage(`${name}-image`, { name: config.redisImage, keepLocally: true }, opts);
  const volume = new docker.Volume(
    `${name}-data`,
    { name: config.dataVolume },
    { ...opts, retainOnDelete: config.retainData, deleteBeforeReplace: true },
  );
  return { image, volume };
}
