import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { APP_PORT, AppBaseArgs, appEnv, PASSWORD_FILE } from "../appBase";
import { serviceRevision } from "../revision";
import type { App } from "../target";
import { contentSecret, stackService } from "./service";
import { SwarmGateway } from "./SwarmGateway";

/** What the app takes on a swarm beyond what it takes on either target. */
export interface SwarmAppOptions {
  /** How many tasks run the app. */
  replicas: number;
  /** `ingress`: the routing mesh publishes the port (needs IPVS); `gateway`: a forwarder does. */
  publish: "ingress" | "gateway";
  /** The Node.js image the gateway runs on. */
  gatewayImage: string;
  /** How long `pulumi up` waits for the service to converge, in seconds. */
  readyTimeoutSeconds: number;
}

export type SwarmAppArgs = AppBaseArgs & SwarmAppOptions;

const NOTE = "swarm: DNS on the overlay, no link env vars";

/**
 * The tutorial's app as a replicated swarm service (`docker service create --replicas 3 --publish
 * 3000:3000 --network <overlay> <app>`): `replicas` tasks on the overlay, reaching Redis by the alias
 * through Docker's DNS, published on `port` by the routing mesh or a gateway. An update replaces one
 * task at a time, starting the new one and waiting for its healthcheck (the image's HEALTHCHECK: 200
 * only while Redis answers) before stopping the old one, and rolls back if a new task fails.
 */
export class SwarmApp extends pulumi.ComponentResource implements App {
  readonly service: docker.Service;
  /** With `publish: gateway`, what publishes the app instead of the routing mesh. */
  readonly gateway?: SwarmGateway;
  readonly checked: App["checked"];
  readonly reachesRedis: App["reachesRedis"] = { mode: "network", via: NOTE };
  readonly replicas: number;
  readonly url: string;
  readonly revision: pulumi.Output<string>;
  readonly outputs: App["outputs"];
  readonly link: App["link"];

  constructor(name: string, args: SwarmAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:swarm:SwarmApp", name, {}, opts);
    const parent = { parent: this };
    const viaGateway = args.publish === "gateway";
    const password =
      args.password === undefined
        ? undefined
        : contentSecret(`${name}-password`, `${args.name}-password`, args.password, parent);

    this.service = stackService(
      name,
      {
        name: args.name,
        image: args.image,
        replicas: args.replicas,
        network: { id: args.link.network },
        containerSpec: {
          env: appEnv(args.link.alias, password !== undefined),
          // The app stops at once on SIGTERM; one that ignores it (node as PID 1 without a handler,
          // as in apps of the tutorial's era) is killed after this, well within the 30 s the provider
          // waits for a removed service's containers to go.
          stopGracePeriod: "10s",
          // Swarm mounts secrets under /run/secrets, where PASSWORD_FILE is.
          secrets: password && [
            {
              secretId: password.id,
              secretName: password.name,
              fileName: path.posix.basename(PASSWORD_FILE),
            },
          ],
        },
        endpointSpec: viaGateway
          ? { mode: "dnsrr" }
          : {
              mode: "vip",
              ports: [{ targetPort: APP_PORT, publishedPort: args.port, publishMode: "ingress" }],
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
        readyTimeoutSeconds: args.readyTimeoutSeconds,
      },
      parent,
    );

    if (viaGateway) {
      this.gateway = new SwarmGateway(
        `${name}-gateway`,
        {
          name: `${args.name}-gateway`,
          image: args.gatewayImage,
          network: args.link.network,
          upstream: pulumi.interpolate`tasks.${this.service.name}`,
          port: args.port,
          readyTimeoutSeconds: args.readyTimeoutSeconds,
        },
        parent,
      );
    }

    this.replicas = args.replicas;
    this.url = `http://${args.host}:${args.port}/`;
    this.checked = pulumi
      .all([this.service.name, this.service.id])
      .apply(([service, id]) => ({ service, id }));
    this.revision = this.gateway
      ? serviceRevision(this.service, this.gateway.service)
      : serviceRevision(this.service);
    this.outputs = { name: this.service.name, url: this.url, replicas: args.replicas };
    this.link = { mode: "network", alias: args.link.alias, env: {}, hosts: [], note: NOTE };
    this.registerOutputs({ url: this.url, revision: this.revision });
  }
}
