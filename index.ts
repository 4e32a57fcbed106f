// Docker's "Communicating Between Containers" tutorial, step by step, as a Pulumi stack: on plain
// containers (target container) or as Docker Swarm services (target swarm, see docs/swarm.md).
// Config is read once, here; each step gets only what it needs.
import * as docker from "@pulumi/docker";
import { checkAgainstEngine, loadConfig } from "./lib/config";
import { publishedHost } from "./lib/engineHost";
import { containerTarget, swarmTarget } from "./components/targets";
import { noRedisPassword, RedisPassword } from "./components/RedisPassword";
import { LinkArgs, LinkedContainer } from "./components/LinkedContainer";
import { AppImage } from "./components/AppImage";
import { RedisCli } from "./components/RedisCli";
import { Verification } from "./components/Verification";

const { config, redisPassword } = loadConfig();
// Before anything is made: a subnet none of the engine's networks uses.
checkAgainstEngine(config);
// Where the tutorial runs: plain containers, or a swarm's services (docs/swarm.md). Each target takes
// only its own settings; the steps below are the same on both.
const target =
  config.target === "swarm"
    ? swarmTarget({
        replicas: config.appReplicas,
        publish: config.appPublish,
        gatewayImage: config.nodeImage,
        readyTimeoutSeconds: config.readyTimeoutSeconds,
      })
    : containerTarget({ linkMode: config.linkMode });
// The configured password, or one the stack generates once and keeps (encrypted) in its state; none
// only with redisAuth: none, as in the tutorial, which warns on every run.
const password =
  config.redisAuth === "none"
    ? noRedisPassword(config.networkName)
    : new RedisPassword("redis-password", { configured: redisPassword }).value;

// Start Data Store: docker run -d --name redis-server redis
const dataStore = target.dataStore("redis-server", {
  name: config.redisName,
  image: config.redisImage,
  network: { name: config.networkName, subnet: config.networkSubnet },
  volume: { name: config.dataVolume ?? `${config.redisName}-data`, retain: config.retainData },
  alias: config.linkAlias,
  password,
});

// Create Link: --link redis-server:redis
const redisLink: LinkArgs = {
  source: dataStore.linkSource,
  alias: config.linkAlias,
  mode: config.linkMode,
  network: dataStore.network.id,
};

// How Links Work: docker run --link redis-server:redis alpine env | cat /etc/hosts | ping -c 1 redis
const probe = new LinkedContainer("link-probe", {
  name: config.probeName,
  image: new docker.RemoteImage("probe-image", { name: config.probeImage, keepLocally: true }).imageId,
  command: ["sleep", "2147483647"],
  init: true,
  link: redisLink,
});

// Connect To App: docker run -d -p 3000:3000 --link redis-server:redis <app built from app/>
const counterApp = target.app("counter-app", {
  name: config.appName,
  image:
    config.appImage ??
    new AppImage("counter-app-image", { appName: config.appName, nodeImage: config.nodeImage }).imageId,
  port: config.appPort,
  // The machine the engine runs on (DOCKER_HOST): where the published port is.
  host: publishedHost(process.env.DOCKER_HOST),
  link: redisLink,
  password,
});

// Connect to Redis CLI: docker run -it --link redis-server:redis redis redis-cli -h redis
const redisCli = new RedisCli("redis-cli", {
  name: config.cliName,
  image: dataStore.imageId,
  link: redisLink,
  password,
});

// Test Connection and Issuing Commands: curl docker:3000, KEYS * (and the link checks above)
const checks = new Verification("verify", {
  alias: config.linkAlias,
  dataStore,
  app: counterApp,
  probe,
  cli: redisCli.checked,
  requests: config.checkRequests,
  timeoutSeconds: config.readyTimeoutSeconds,
});

export const redis = { ...dataStore.outputs, ip: checks.redisAddress, auth: config.redisAuth };
export const app = counterApp.outputs;
export const cli = redisCli.outputs;
export const link = counterApp.link;
export const verification = checks.results;
