// Docker's "Communicating Between Containers" tutorial, step by step, as a Pulumi stack.
import * as docker from "@pulumi/docker";
import { loadConfig } from "./lib/stackConfig";
import { RedisServer } from "./components/RedisServer";
import { LinkArgs, LinkedContainer } from "./components/LinkedContainer";
import { CounterApp } from "./components/CounterApp";
import { RedisCli } from "./components/RedisCli";
import { Verification } from "./components/Verification";

const { config, redisPassword } = loadConfig();

// Start Data Store: docker run -d --name redis-server redis
const dataStore = new RedisServer("redis-server", { config, password: redisPassword });

// Create Link: --link redis-server:redis (emulated env vars and hosts line, or a network alias)
const redisLink: LinkArgs = {
  source: dataStore.linkSource,
  alias: config.linkAlias,
  mode: config.linkMode,
  network: dataStore.network.name,
};

// How Links Work: docker run --link redis-server:redis alpine env | cat /etc/hosts | ping -c 1 redis
const probeImage = new docker.RemoteImage("probe-image", { name: config.probeImage, keepLocally: true });
const probe = new LinkedContainer("link-probe", {
  name: config.probeName,
  image: probeImage.imageId,
  command: ["sleep", "2147483647"],
  init: true,
  link: redisLink,
});

// Connect To App: docker run -d -p 3000:3000 --link redis-server:redis <app>
const counterApp = new CounterApp("counter-app", { config, link: redisLink, password: redisPassword });

// Connect to Redis CLI: docker run -it --link redis-server:redis redis redis-cli -h redis
const redisCli = new RedisCli("redis-cli", {
  config,
  image: dataStore.imageId,
  link: redisLink,
  password: redisPassword,
});

// Test Connection and Issuing Commands: curl docker:3000, KEYS * (and the checks above), as outputs
const checks = new Verification("verify", {
  config,
  source: dataStore.linkSource,
  redisId: dataStore.container.id,
  app: counterApp.container,
  probe,
  cli: redisCli.container,
});

export const redis = { name: dataStore.container.name, id: dataStore.container.id, ip: config.redisAddress };
export const app = { name: counterApp.container.container.name, url: counterApp.url };
export const cli = { name: redisCli.container.container.name, attach: redisCli.attach };
export const link = {
  mode: config.linkMode,
  alias: config.linkAlias,
  env: counterApp.container.linkEnvMap,
  hosts: counterApp.container.hostsLine.apply((line) => (line === undefined ? [] : [line])),
};
export const verification = checks.results;
