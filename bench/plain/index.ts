// Docker's "Communicating Between Containers" written plainly in Pulumi, the way the Pulumi examples
// write container programs (docker-ts-multi-container-app): a network with Redis under the alias
// `redis`, the app, redis-cli and a probe on it, and the tutorial's five checks as commands that
// run `docker exec` and curl. What this stack adds over it (a password, refresh, link emulation,
// parsed and compared results) is what the bench's stack row pays for.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";

const config = new pulumi.Config();
const prefix = config.require("prefix");
const port = config.requireNumber("port");

const network = new docker.Network("network", { name: `${prefix}net` });
const onNetwork = (aliases: string[] = []) => [{ name: network.name, aliases }];

const redis = new docker.Container("redis", {
  name: `${prefix}redis`,
  image: config.require("redisImage"),
  // The stand-in image keeps Redis's protected mode on; the official one turns it off.
  command: ["redis-server", "--protected-mode", "no"],
  networksAdvanced: onNetwork(["redis"]),
});

const app = new docker.Container(
  "app",
  {
    name: `${prefix}app`,
    image: config.require("appImage"),
    envs: ["REDIS_HOST=redis"],
    ports: [{ internal: 3000, external: port }],
    networksAdvanced: onNetwork(),
    // Its image's healthcheck: healthy once Redis answers.
    wait: true,
  },
  { dependsOn: redis },
);

const cli = new docker.Container("cli", {
  name: `${prefix}cli`,
  image: config.require("redisImage"),
  command: ["redis-cli", "-h", "redis"],
  tty: true,
  stdinOpen: true,
  networksAdvanced: onNetwork(),
});

const probe = new docker.Container("probe", {
  name: `${prefix}probe`,
  image: config.require("probeImage"),
  command: ["sleep", "3600"],
  init: true,
  networksAdvanced: onNetwork(),
});

const check = (name: string, create: pulumi.Input<string>, dependsOn: pulumi.Resource[]) =>
  new command.local.Command(name, { create }, { dependsOn });

const curl = check("curl", `for i in 1 2 3; do curl -fsS http://127.0.0.1:${port}/; done`, [app]);
export const env = check("env", pulumi.interpolate`docker exec ${app.name} env`, [app]).stdout;
export const hosts = check("hosts", pulumi.interpolate`docker exec ${app.name} getent hosts redis`, [
  app,
]).stdout;
export const ping = check("ping", pulumi.interpolate`docker exec ${probe.name} ping -c 1 redis`, [
  probe,
]).stdout;
export const requests = curl.stdout;
// KEYS * shows what the requests stored, so it runs after them.
export const keys = check("keys", pulumi.interpolate`docker exec ${cli.name} redis-cli -h redis KEYS '*'`, [
  cli,
  curl,
]).stdout;
