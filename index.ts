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

// Start Data Store, Create Link and Connect To App, on one of two targets.
let dataStore: RedisServer | SwarmRedis;
let redisLink: LinkArgs;
let counterApp: CounterApp | SwarmApp;
if (config.target === "swarm") {
  // Start Data Store: docker service create --name redis-server --replicas 1 --mount ... redis,
  // pinned to the node that holds its volume, on an attachable overlay network.
  const swarmRedis = new SwarmRedis("redis-server", { config, password: redisPassword });
  // Create Link: an alias on the overlay, resolved by Docker's DNS (a swarm has no legacy links).
  redisLink = {
    source: swarmRedis.linkSource,
    alias: config.linkAlias,
    mode: config.linkMode,
    network: swarmRedis.network.name,
  };
  // Connect To App: docker service create --replicas <appReplicas> --publish <appPort>:3000 <app>
  counterApp = new SwarmApp("counter-app", {
    config,
    network: swarmRedis.network.id,
    password: redisPassword,
  });
  dataStore = swarmRedis;
} else {
  // Start Data Store: docker run -d --name redis-server redis
  const redisServer = new RedisServer("redis-server", { config, password: redisPassword });
  // Create Link: --link redis-server:redis (emulated env vars and hosts line, or a network alias)
  redisLink = {
    source: redisServer.linkSource,
    alias: config.linkAlias,
    mode: config.linkMode,
    network: redisServer.network.name,
  };
  // Connect To App: docker run -d -p 3000:3000 --link redis-server:redis <app>
  counterApp = new CounterApp("counter-app", { config, link: redisLink, password: redisPassword });
  dataStore = redisServer;
}

// How Links Work: docker run --link redis-server:redis alpine env | cat /etc/hosts | ping -c 1 redis
const probeImage = new docker.RemoteImage("probe-image", { name: config.probeImage, keepLocally: true });
const probe = new LinkedContainer("link-probe", {
  name: config.probeName,
  image: probeImage.imageId,
  command: ["sleep", "2147483647"],
  init: true,
  link: redisLink,
});

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
  redisId: dataStore instanceof SwarmRedis ? dataStore.revision : dataStore.container.id,
  app: counterApp instanceof SwarmApp ? counterApp : counterApp.container,
  probe,
  cli: redisCli.container,
});

export const redis =
  dataStore instanceof SwarmRedis
    ? {
        name: dataStore.service.name,
        id: dataStore.service.id,
        // A task has no fixed address: this is the one the alias resolved to during the checks.
        ip: checks.results.apply((results) => results.hosts.data.address as string),
      }
    : { name: dataStore.container.name, id: dataStore.container.id, ip: config.redisAddress };
export const app =
  counterApp instanceof SwarmApp
    ? { name: counterApp.service.name, url: counterApp.url, replicas: config.appReplicas }
    : { name: counterApp.container.container.name, url: counterApp.url };
export const cli = { name: redisCli.container.container.name, attach: redisCli.attach };
export const link =
  counterApp instanceof SwarmApp
    ? {
        mode: `${config.linkMode}: the overlay network ${config.networkName} (swarm: DNS on the overlay, no link env vars)`,
        alias: config.linkAlias,
        env: {},
        hosts: [],
      }
    : {
        mode: config.linkMode,
        alias: config.linkAlias,
        env: counterApp.container.linkEnvMap,
        hosts: counterApp.container.hostsLine.apply((line) => (line === undefined ? [] : [line])),
      };
export const verification = checks.results;
