import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";

/** The label every swarm object of the stack carries (services, secrets, configs): project/stack. */
export const STACK_LABEL = "container-links.stack";

export function stackLabels(): { label: string; value: string }[] {
  return [{ label: STACK_LABEL, value: `${pulumi.getProject()}/${pulumi.getStack()}` }];
}

/** What differs between the stack's services; the rest (labels, restarts, stops, convergence) is shared. */
export interface ServiceArgs {
  /** Service name. */
  name: string;
  /** Image ID or reference every task runs. */
  image: pulumi.Input<string>;
  replicas: number;
  /** The overlay network the tasks join (its ID), and the aliases they carry there. */
  network: { id: pulumi.Input<string>; aliases?: string[] };
  containerSpec?: Omit<docker.types.input.ServiceTaskSpecContainerSpec, "image">;
  placement?: docker.types.input.ServiceTaskSpecPlacement;
  endpointSpec: docker.types.input.ServiceEndpointSpec;
  updateConfig?: docker.types.input.ServiceUpdateConfig;
  rollbackConfig?: docker.types.input.ServiceRollbackConfig;
  /** How long `pulumi up` waits for the service to converge, in seconds. */
  readyTimeoutSeconds: number;
}

/**
 * A replicated service of the stack: labelled as the stack's, restarted whatever ends its tasks,
 * given 30 s to stop, and waited for until its tasks run.
 */
export function stackService(resourceName: string, args: ServiceArgs, opts: pulumi.CustomResourceOptions) {
  return new docker.Service(
    resourceName,
    {
      name: args.name,
      labels: stackLabels(),
      mode: { replicated: { replicas: args.replicas } },
      taskSpec: {
        containerSpec: {
          ...args.containerSpec,
          image: args.image,
          // Set though empty (also `window` below): the provider reads them back so, and would
          // otherwise show a change to the service on every `pulumi up`.
          env: args.containerSpec?.env ?? {},
          sysctl: {},
          stopGracePeriod: args.containerSpec?.stopGracePeriod ?? "30s",
        },
        placement: args.placement,
        networksAdvanceds: [{ id: args.network.id, aliases: args.network.aliases }],
        restartPolicy: { condition: "any", delay: "1s", window: "0s" },
      },
      endpointSpec: args.endpointSpec,
      updateConfig: args.updateConfig,
      rollbackConfig: args.rollbackConfig,
      convergeConfig: { delay: "1s", timeout: `${args.readyTimeoutSeconds}s` },
    },
    opts,
  );
}

/**
 * A swarm secret holding `content`. Secrets cannot change and one in use cannot be removed, so new
 * content makes a new secret, named after a digest of it (only managers see secret names, and they
 * can read the secret anyway).
 */
export function contentSecret(
  resourceName: string,
  name: string,
  content: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
) {
  const text = pulumi.output(content);
  return new docker.Secret(
    resourceName,
    {
      name: text.apply((t) => `${name}-${crypto.createHash("sha256").update(t).digest("hex").slice(0, 12)}`),
      data: text.apply((t) => Buffer.from(t).toString("base64")),
      labels: stackLabels(),
    },
    opts,
  );
}

/** An image ID runs on this node without a registry; a digest lets other nodes pull the same image. */
export function pullableImage(image: docker.RemoteImage): pulumi.Output<string> {
  return pulumi.all([image.repoDigest, image.imageId]).apply(([digest, id]) => digest || id);
}

/**
 * The swarm node ID of the engine the stack talks to (DOCKER_HOST), for placement constraints that
 * keep a task on that machine. Fails with a clear message when the engine is not a swarm manager,
 * before any service is created.
 */
export function thisNode(resourceName: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  return new command.local.Command(
    resourceName,
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
    opts,
  ).stdout;
}
