import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { LinkOutputs } from "./LinkedContainer";
import { StackConfig } from "../lib/config";
import { buildAppImage } from "./AppImage";
import { SwarmGateway } from "./SwarmGateway";
import { serviceRevision, stackLabels } from "./swarmService";

const CONTAINER_PORT = 3000;

export interface SwarmAppArgs {
  config: StackConfig;
  /** The overlay network Redis is on (its ID). */
  network: pulumi.Input<string>;
  password?: pulumi.Output<string>;
}

/**
 * The tutorial's app as a replicated swarm service (`docker service create --replicas 3 --publish
 * 3000:3000 --network <overlay> <app>`): the same image as the container target (built from app/, or
 * `appImage`), `appReplicas` tasks on the overlay, reaching Redis by the alias through Docker's DNS.
 * It is published on `appPort` by the routing mesh, or by a gateway where the kernel has no IPVS
 * (`appPublish`). An update (new image or env) replaces one task at a time, starting the new one
 * and waiting for its healthcheck before stopping the old one, and rolls back if a new task fails.
 */
export class SwarmApp extends pulumi.ComponentResource {
  readonly service: docker.Service;
  /** With `appPublish: gateway`, what publishes the app instead of the routing mesh. */
  readonly gateway?: SwarmGateway;
  readonly url: string;
  /** Changes whenever the service (or its gateway) is replaced or updated. */
  readonly revision: pulumi.Output<string>;
  /** The `app` stack output. */
  readonly outputs: { name: pulumi.Output<string>; url: string; replicas: number };
  /** The `link` stack output: on an overlay the alias is a DNS name, with no link variables. */
  readonly link: LinkOutputs;

  constructor(name: string, args: SwarmAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:swarm:SwarmApp", name, {}, opts);
    const { config } = args;
    const gateway = config.appPublish === "gateway";
    // An image ID runs on this node without a registry; a multi-node swarm needs `appImage` set to
    // an image every node can pull.
    const image = config.appImage ?? buildAppImage(`${name}-image`, config, { parent: this }).stdout;

    this.service = new docker.Service(
      name,
      {
        name: config.appName,
        labels: stackLabels(),
        mode: { replicated: { replicas: config.appReplicas } },
        taskSpec: {
          containerSpec: {
            image,
            env: pulumi.output(args.password).apply((password): Record<string, string> => ({
              REDIS_HOST: config.linkAlias,
              PORT: String(CONTAINER_PORT),
              ...(password ? { REDIS_PASSWORD: password } : {}),
            })),
            // The image's HEALTHCHECK (GET /healthz: 200 only while Redis answers) decides when a
            // task is running, so start-first waits for it and swarm adds the task to DNS then.
            sysctl: {}, // set though empty, as in SwarmRedis
            stopGracePeriod: "30s",
          },
          networksAdvanceds: [{ id: args.network }],
          restartPolicy: { condition: "any", delay: "1s", window: "0s" },
        },
        endpointSpec: gateway
          ? { mode: "dnsrr" }
          : {
              mode: "vip",
              ports: [{ targetPort: CONTAINER_PORT, publishedPort: config.appPort, publishMode: "ingress" }],
            },
        updateConfig: {
          parallelism: 1,
          order: "start-first",
          delay: "1s",
          failureAction: "rollback",
          monitor: "5s",
          maxFailureRatio: "0",
        },
        rollbackConfig: { parallelism: 1, order: "start-first", failureAction: "pause", monitor: "5s" },
        convergeConfig: { delay: "1s", timeout: `${config.readyTimeoutSeconds}s` },
      },
      { parent: this },
    );

    if (gateway) {
      this.gateway = new SwarmGateway(
        `${name}-gateway`,
        { config, network: args.network, upstream: pulumi.interpolate`tasks.${this.service.name}` },
        { parent: this },
      );
    }

    this.url = `http://localhost:${config.appPort}/`;
    this.revision = this.gateway
      ? serviceRevision(this.service, this.gateway.service)
      : serviceRevision(this.service);
    this.outputs = { name: this.service.name, url: this.url, replicas: config.appReplicas };
    this.link = {
      mode: config.linkMode,
      alias: config.linkAlias,
      env: {},
      hosts: [],
      note: `swarm: DNS on the overlay network ${config.networkName}, no link env vars`,
    };
    this.registerOutputs({ url: this.url, revision: this.revision });
  }
}
