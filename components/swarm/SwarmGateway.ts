import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { pullableImage, stackLabels, stackService, thisNode } from "./service";

/** The forwarder, code that runs inside the gateway's container. */
const GATEWAY_SCRIPT = path.join(__dirname, "..", "..", "images", "gateway", "gateway.js");
const GATEWAY_PORT = 3000;

export interface SwarmGatewayArgs {
  /** Service name, e.g. counter-app-gateway. */
  name: string;
  /** A Node.js image to run the forwarder on. */
  image: string;
  /** The overlay network (its ID) the app's tasks are on. */
  network: pulumi.Input<string>;
  /** The name that lists the app's tasks, e.g. tasks.counter-app. */
  upstream: pulumi.Input<string>;
  /** Host port to publish, on the node the stack talks to. */
  port: number;
  /** How long `pulumi up` waits for the service to converge, in seconds. */
  readyTimeoutSeconds: number;
}

/**
 * Publishes the app on `port` where the routing mesh cannot: Docker's ingress needs IPVS in the
 * kernel, and without it a port published in ingress mode never answers. One replica of
 * images/gateway/gateway.js on Node, on the overlay, publishing in host mode (a plain port mapping
 * on its node) and handing each connection to the next app task, as the mesh does. It is pinned to
 * the node the stack talks to (DOCKER_HOST), where the app's URL and the checks look for the port. The script
 * reaches the task as a swarm config, so no image is built for it.
 */
export class SwarmGateway extends pulumi.ComponentResource {
  readonly service: docker.Service;

  constructor(name: string, args: SwarmGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:swarm:SwarmGateway", name, {}, opts);
    const parent = { parent: this };

    const script = fs.readFileSync(GATEWAY_SCRIPT);
    const hash = crypto.createHash("sha256").update(script).digest("hex").slice(0, 12);
    // Configs cannot change: a new script is a new config (named after its hash), then an update.
    const scriptConfig = new docker.ServiceConfig(
      `${name}-script`,
      { name: `${args.name}-${hash}`, data: script.toString("base64"), labels: stackLabels() },
      parent,
    );
    const node = thisNode(`${name}-node`, parent);
    const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, parent);

    this.service = stackService(
      name,
      {
        name: args.name,
        image: pullableImage(image),
        replicas: 1,
        network: { id: args.network },
        containerSpec: {
          commands: ["node", "/gateway/gateway.js"],
          configs: [
            { configId: scriptConfig.id, configName: scriptConfig.name, fileName: "/gateway/gateway.js" },
          ],
          env: {
            UPSTREAM_HOST: args.upstream,
            UPSTREAM_PORT: String(GATEWAY_PORT),
            LISTEN_PORT: String(GATEWAY_PORT),
          },
          user: "1000:1000",
        },
        placement: { constraints: [pulumi.interpolate`node.id==${node}`] },
        endpointSpec: {
          mode: "dnsrr",
          ports: [{ targetPort: GATEWAY_PORT, publishedPort: args.port, publishMode: "host" }],
        },
        readyTimeoutSeconds: args.readyTimeoutSeconds,
      },
      parent,
    );

    this.registerOutputs({ service: this.service.id });
  }
}
