// Docker's "Communicating Between Containers" tutorial, step by step, as a Pulumi stack: on plain
// containers (target container), or with Redis and a replicated app as Docker Swarm services
// (target swarm, see docs/swarm.md).
import * as docker from "@pulumi/docker";
import { loadConfig } from "./lib/stackConfig";
import { RedisServer } from "./components/RedisServer";
import { LinkArgs, LinkedContainer } from "./components/LinkedContainer";
import { CounterApp } from "./components/CounterApp";
import { SwarmRedis } from "./components/SwarmRedis";
import { SwarmApp } from "./components/SwarmApp";
import { RedisCli } from "./components/RedisCli";
import { Verification } from "./components/Verification";

const { config, redisPassword } = loadConfig();
const swarm = config.target === "swarm";

// Start Data Store: docker run -d --name redis-server redis
// (swarm: a one-replica service pinned to the node that holds its volume, on an attachable overlay)
const dataStore = swarm
  ? new SwarmRedis("redis-server", { config, password: redisPassword })
  : new RedisServer("redis-server", { config, password: redisPassword });

// Create Link: --link redis-server:redis (emulated env vars and hosts line, or a network alias;
// a swarm has no legacy links, only the alias on the overlay)
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
// (swarm: docker service create --replicas <appReplicas> --publish <appPort>:3000 <app>)
const counterApp = swarm
  ? new SwarmApp("counter-app", { config, network: dataStore.network.id, password: redisPassword })
  : new CounterApp("counter-app", { config, link: redisLink, password: redisPassword });

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
  redisRevision: dataStore.revision,
  appRevision: counterApp.revision,
  probe,
  cli: redisCli.container,
});

export const redis = {
  ...dataStore.outputs,
  // Where the alias leads: Redis's fixed address, or on a swarm the task address the checks saw.
  ip: swarm ? checks.results.apply((results) => String(results.hosts.data.address)) : config.redisAddress,
};
export const app = counterApp.outputs;
export const cli = { name: redisCli.container.container.name, attach: redisCli.attach };
export const link = counterApp.link;
export const verification = checks.results;
