import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { StackConfig } from "../lib/config";
import { stackLabels } from "./swarmService";

const GATEWAY_SCRIPT = path.join(__dirname, "gateway", "gateway.js");
const GATEWAY_PORT = 3000;

export interface SwarmGatewayArgs {
  config: StackConfig;
  network: pulumi.Input<string>;
  /** The name that lists the app's tasks, e.g. tasks.counter-app. */
  upstream: pulumi.Input<string>;
}

/**
 * Publishes the app on `appPort` where the routing mesh cannot: Docker's ingress needs IPVS in the
 * kernel, and without it a port published in ingress mode never answers. One replica of
 * components/gateway/gateway.js on Node (`nodeImage`), on the overlay, publishing in host mode (a
 * plain port mapping on its node) and handing each connection to the next app task, as the mesh
 * does. The script reaches the task as a swarm config, so no image is built for it.
 */
export class SwarmGateway extends pulumi.ComponentResource {
  readonly service: docker.Service;

  constructor(name: string, args: SwarmGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:swarm:SwarmGateway", name, {}, opts);
    const { config } = args;
    const parent = { parent: this };
    const serviceName = `${config.appName}-gateway`;

    const script = fs.readFileSync(GATEWAY_SCRIPT);
    const hash = crypto.createHash("sha256").update(script).digest("hex").slice(0, 12);
    // Configs cannot change: a new script is a new config (named after its hash), then an update.
    const scriptConfig = new docker.ServiceConfig(
      `${name}-script`,
      { name: `${serviceName}-${hash}`, data: script.toString("base64"), labels: stackLabels() },
      parent,
    );

    const image = new docker.RemoteImage(
      `${name}-image`,
      { name: config.nodeImage, keepLocally: true },
      parent,
    );

    this.service = new docker.Service(
      name,
      {
        name: serviceName,
        labels: stackLabels(),
        mode: { replicated: { replicas: 1 } },
        taskSpec: {
          containerSpec: {
            image: pulumi
              .all([image.repoDigest, image.imageId])
              .apply(([digest, id]) => (digest ? digest : id)),
            commands: ["node", "/gateway/gateway.js"],
            configs: [
              {
                configId: scriptConfig.id,
                configName: scriptConfig.name,
                fileName: "/gateway/gateway.js",
              },
            ],
            env: {
              UPSTREAM_HOST: args.upstream,
              UPSTREAM_PORT: String(GATEWAY_PORT),
              LISTEN_PORT: String(GATEWAY_PORT),
            },
            user: "1000:1000",
            sysctl: {}, // set though empty, as in SwarmRedis
            stopGracePeriod: "30s",
          },
          networksAdvanceds: [{ id: args.network }],
          restartPolicy: { condition: "any", delay: "1s", window: "0s" },
        },
        endpointSpec: {
          mode: "dnsrr",
          ports: [{ targetPort: GATEWAY_PORT, publishedPort: config.appPort, publishMode: "host" }],
        },
        convergeConfig: { delay: "1s", timeout: `${config.readyTimeoutSeconds}s` },
      },
      parent,
    );

    this.registerOutputs({});
  }
}
