import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

/** The label every swarm object of the stack carries (services, secrets, configs): project/stack. */
export const STACK_LABEL = "container-links.stack";

export function stackLabels(): { label: string; value: string }[] {
  return [{ label: STACK_LABEL, value: `${pulumi.getProject()}/${pulumi.getStack()}` }];
}

/**
 * A short digest of what services run: their IDs and specs. It changes when one is replaced or
 * updated in place (a rolling update keeps the ID), so checks that depend on it run again. A spec
 * may hold a secret (the Redis password in the app's env); its digest is not one, and keeping it
 * plain keeps the checks' results plain too.
 */
export function serviceRevision(...services: docker.Service[]): pulumi.Output<string> {
  const specs = services.map((s) => pulumi.all([s.id, s.taskSpec, s.mode, s.endpointSpec]));
  return pulumi.unsecret(
    pulumi
      .all(specs)
      .apply((all) => crypto.createHash("sha256").update(JSON.stringify(all)).digest("hex").slice(0, 16)),
  );
}
