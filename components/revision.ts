import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

// What the checks looked at, reduced to one value per object: a check re-runs when it changes. With
// `refresh: always` (Pulumi.yaml) every `pulumi up` first reads these objects back from the engine,
// so a change made outside the stack counts too.

/**
 * A container's id and its addresses: it changes when the container is replaced, and when it comes
 * back on another address (e.g. a restart on the default bridge).
 */
export function containerRevision(container: docker.Container): pulumi.Output<string> {
  return pulumi
    .all([container.id, container.networkDatas])
    .apply(([id, networks]) =>
      [id, ...(networks ?? []).map((n) => `${n.networkName}=${n.ipAddress}`).sort()].join(" "),
    );
}

/**
 * A short digest of services' IDs and specs: it changes when one is replaced or updated in place (a
 * rolling update keeps the ID). A spec may hold a secret reference; its digest is not one, and
 * keeping it plain keeps the checks' results plain too.
 */
export function serviceRevision(...services: docker.Service[]): pulumi.Output<string> {
  const specs = services.map((s) => pulumi.all([s.id, s.taskSpec, s.mode, s.endpointSpec]));
  return pulumi.unsecret(
    pulumi
      .all(specs)
      .apply((all) => crypto.createHash("sha256").update(JSON.stringify(all)).digest("hex").slice(0, 16)),
  );
}
