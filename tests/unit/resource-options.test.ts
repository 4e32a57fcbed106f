// How each component ties its resources into Pulumi's resource graph, which the mocks' inputs do not
// show: every resource is a child of the component that makes it (the tree `pulumi stack` shows, and
// the way a component's own options reach its resources); what has a fixed name, address or host
// port is deleted before its replacement is made (Docker will not give a name or a port to two);
// the generated password's stdout is kept encrypted; the keys check runs after the http check; and
// each component records its outputs in the state. A transformation given to the component sees
// every resource made under it, with its options, as the SDK applies a component's transformations
// to its children.
import * as pulumi from "@pulumi/pulumi";
import { LinkArgs, LinkedContainer } from "../../components/LinkedContainer";
import { RedisServer } from "../../components/RedisServer";
import { CounterApp } from "../../components/CounterApp";
import { RedisCli } from "../../components/RedisCli";
import { RedisPassword } from "../../components/RedisPassword";
import { AppImage } from "../../components/AppImage";
import { StackNetwork } from "../../components/StackNetwork";
import { Verification } from "../../components/Verification";
import { SwarmRedis } from "../../components/swarm/SwarmRedis";
import { SwarmApp } from "../../components/swarm/SwarmApp";
import { resolved, useMocks } from "./mocks";

useMocks(pulumi);

/** One resource as it was registered: its type, name and options. */
interface Made {
  type: string;
  name: string;
  opts: pulumi.CustomResourceOptions;
  resource: pulumi.Resource;
}

/** Builds a component with a transformation that records it and everything made under it. */
function build<T extends pulumi.ComponentResource>(
  make: (opts: pulumi.ComponentResourceOptions) => T,
): { component: T; made: Made[] } {
  const made: Made[] = [];
  const component = make({
    transformations: [
      ({ type, name, opts, resource }) => {
        made.push({ type, name, opts, resource });
        return undefined;
      },
    ],
  });
  return { component, made };
}

/** Each resource as `type name < parent type parent name` (`< stack` for the component built). */
function tree(made: Made[]): string[] {
  const label = (r: pulumi.Resource | undefined) => {
    const found = made.find((m) => m.resource === r);
    return found ? `${found.type} ${found.name}` : "stack";
  };
  return made.map((m) => `${m.type} ${m.name} < ${label(m.opts.parent)}`).sort();
}

/** The resources made with `option` set, as `type name`. */
function withOption(made: Made[], option: keyof pulumi.CustomResourceOptions): string[] {
  return made
    .filter((m) => m.opts[option] !== undefined)
    .map((m) => `${m.type} ${m.name}`)
    .sort();
}

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const SERVICE = "docker:index/service:Service";
const SECRET = "docker:index/secret:Secret";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "container-links:network:StackNetwork";

const SOURCE = {
  name: "redis-server",
  id: "r".repeat(64),
  hostname: "rrrrrrrrrrrr",
  ip: "10.20.30.10",
  exposedPorts: [{ port: 6379, protocol: "tcp" as const }],
  env: [],
};
const link = (mode: "legacy" | "network"): LinkArgs => ({
  source: SOURCE,
  alias: "redis",
  mode,
  network: "net-id",
});
const REDIS = {
  name: "unit-redis",
  image: "redis:unit",
  network: { name: "unit-net", subnet: "10.20.30.0/24" },
  volume: { name: "unit-data", retain: true },
  alias: "redis",
  password: pulumi.secret("0123456789abcdef-hush"),
};

describe("every resource is a child of the component that makes it", () => {
  test("Redis: its network (with the network's owner), image, volume, image config and container", async () => {
    const { component, made } = build((opts) => new RedisServer("r", { ...REDIS, linkMode: "legacy" }, opts));
    await resolved(pulumi, component.linkSource);
    expect(tree(made)).toEqual(
      [
        "container-links:redis:RedisServer r < stack",
        `${NETWORK} r-network < container-links:redis:RedisServer r`,
        `${COMMAND} r-network < ${NETWORK} r-network`,
        `${IMAGE} r-image < container-links:redis:RedisServer r`,
        `${VOLUME} r-data < container-links:redis:RedisServer r`,
        `${COMMAND} r-image-config < container-links:redis:RedisServer r`,
        `${CONTAINER} r < container-links:redis:RedisServer r`,
      ].sort(),
    );
  });

  test("the app, redis-cli and the app image: their container or image owner", async () => {
    const app = build(
      (opts) =>
        new CounterApp(
          "app",
          { name: "a", image: "i", port: 3107, host: "localhost", link: link("legacy") },
          opts,
        ),
    );
    const cli = build((opts) => new RedisCli("cli", { name: "c", image: "i", link: link("network") }, opts));
    const image = build((opts) => new AppImage("img", { appName: "a", nodeImage: "node:unit" }, opts));
    await resolved(pulumi, [app.component.revision, cli.component.checked.ref, image.component.imageId]);
    expect(tree(app.made)).toEqual([
      "container-links:app:CounterApp app < stack",
      "container-links:link:LinkedContainer app < container-links:app:CounterApp app",
      `${CONTAINER} app < container-links:link:LinkedContainer app`,
    ]);
    expect(tree(cli.made)).toEqual([
      "container-links:cli:RedisCli cli < stack",
      "container-links:link:LinkedContainer cli < container-links:cli:RedisCli cli",
      `${CONTAINER} cli < container-links:link:LinkedContainer cli`,
    ]);
    expect(tree(image.made)).toEqual([
      `${COMMAND} img < container-links:app:AppImage img`,
      "container-links:app:AppImage img < stack",
    ]);
  });

  test("the password's generator and the five checks", async () => {
    const password = build((opts) => new RedisPassword("pw", {}, opts));
    const checks = build((opts) => new Verification("v", verificationArgs(), opts));
    await resolved(pulumi, [password.component.value, checks.component.results]);
    expect(tree(password.made)).toEqual([
      `${COMMAND} pw-generated < container-links:redis:RedisPassword pw`,
      "container-links:redis:RedisPassword pw < stack",
    ]);
    expect(tree(checks.made)).toEqual(
      [
        "container-links:verify:Verification v < stack",
        ...["env", "hosts", "ping", "http", "keys"].map(
          (check) => `${COMMAND} v-${check} < container-links:verify:Verification v`,
        ),
      ].sort(),
    );
  });

  test("on a swarm: Redis's node lookup, network, image, volume, secret and service; the app's secret, service and gateway", async () => {
    const redis = build((opts) => new SwarmRedis("sr", { ...REDIS, readyTimeoutSeconds: 5 }, opts));
    const app = build(
      (opts) =>
        new SwarmApp(
          "sa",
          {
            name: "a",
            image: "i",
            port: 3107,
            host: "localhost",
            link: link("network"),
            password: pulumi.secret("0123456789abcdef-hush"),
            replicas: 2,
            publish: "gateway",
            gatewayImage: "node:unit",
            readyTimeoutSeconds: 5,
          },
          opts,
        ),
    );
    await resolved(pulumi, [redis.component.revision, app.component.revision]);
    const R = "container-links:swarm:SwarmRedis sr";
    expect(tree(redis.made)).toEqual(
      [
        `${R} < stack`,
        `${COMMAND} sr-node < ${R}`,
        `${NETWORK} sr-network < ${R}`,
        `${COMMAND} sr-network < ${NETWORK} sr-network`,
        `${IMAGE} sr-image < ${R}`,
        `${VOLUME} sr-data < ${R}`,
        `${SECRET} sr-auth < ${R}`,
        `${SERVICE} sr < ${R}`,
      ].sort(),
    );
    const A = "container-links:swarm:SwarmApp sa";
    const G = "container-links:swarm:SwarmGateway sa-gateway";
    expect(tree(app.made)).toEqual(
      [
        `${A} < stack`,
        `${SECRET} sa-password < ${A}`,
        `${SERVICE} sa < ${A}`,
        `${G} < ${A}`,
        `docker:index/serviceConfig:ServiceConfig sa-gateway-script < ${G}`,
        `command:local:Command sa-gateway-node < ${G}`,
        `${IMAGE} sa-gateway-image < ${G}`,
        `${SERVICE} sa-gateway < ${G}`,
      ].sort(),
    );
  });
});

describe("what cannot exist twice goes before its replacement is made", () => {
  test("Redis's container (fixed name and address), its volume and network (fixed names)", async () => {
    const { component, made } = build(
      (opts) => new RedisServer("r", { ...REDIS, linkMode: "network" }, opts),
    );
    await resolved(pulumi, component.linkSource);
    const first = made.filter((m) => m.opts.deleteBeforeReplace === true).map((m) => `${m.type} ${m.name}`);
    expect(first.sort()).toEqual([`${COMMAND} r-network`, `${CONTAINER} r`, `${VOLUME} r-data`].sort());
  });

  test("a linked container (fixed name, and the app's fixed host port)", async () => {
    const { component, made } = build(
      (opts) => new LinkedContainer("web", { name: "web", image: "i", link: link("network") }, opts),
    );
    await resolved(pulumi, component.ref);
    expect(made.filter((m) => m.opts.deleteBeforeReplace === true).map((m) => m.name)).toEqual(["web"]);
  });

  test("a network alone", async () => {
    const { component, made } = build(
      (opts) => new StackNetwork("n", { name: "n", subnet: "10.1.2.0/24", driver: "bridge" }, opts),
    );
    await resolved(pulumi, component.id);
    expect(withOption(made, "deleteBeforeReplace")).toEqual([`${COMMAND} n`]);
  });
});

test("Redis's data volume stays when the stack goes only if the config says so", async () => {
  for (const retain of [true, false]) {
    const { component, made } = build(
      (opts) =>
        new RedisServer(
          `keep-${retain}`,
          { ...REDIS, volume: { name: "v", retain }, linkMode: "network" },
          opts,
        ),
    );
    await resolved(pulumi, component.linkSource);
    const volume = made.find((m) => m.type === VOLUME);
    expect(volume?.opts.retainOnDelete).toBe(retain);
  }
});

test("the generated password is stored encrypted: its generator's stdout is a secret output", async () => {
  const { component, made } = build((opts) => new RedisPassword("pw", {}, opts));
  await resolved(pulumi, component.value);
  expect(made.find((m) => m.name === "pw-generated")?.opts.additionalSecretOutputs).toEqual(["stdout"]);
});

test("KEYS * runs after the http check (it shows what the app's requests stored); no other check waits", async () => {
  const { component, made } = build((opts) => new Verification("v", verificationArgs(), opts));
  await resolved(pulumi, component.results);
  const http = made.find((m) => m.name === "v-http")?.resource;
  expect(http).toBeDefined();
  expect(made.find((m) => m.name === "v-keys")?.opts.dependsOn).toEqual([http]);
  for (const check of ["env", "hosts", "ping", "http"]) {
    expect(made.find((m) => m.name === `v-${check}`)?.opts.dependsOn).toEqual([]);
  }
});

describe("each component records its outputs in the state", () => {
  let recorded: Map<pulumi.ComponentResource, unknown>;
  let spy: jest.SpyInstance;
  beforeEach(() => {
    recorded = new Map();
    // registerOutputs is protected: the components call it on themselves.
    const prototype = pulumi.ComponentResource.prototype as unknown as {
      registerOutputs(outputs?: unknown): void;
    };
    const original = prototype.registerOutputs;
    spy = jest.spyOn(prototype, "registerOutputs").mockImplementation(function (
      this: pulumi.ComponentResource,
      outputs?: unknown,
    ) {
      // The first call counts: the SDK calls it once more, with nothing, after the constructor.
      if (!recorded.has(this)) recorded.set(this, outputs);
      original.call(this, outputs);
    });
  });
  afterEach(() => spy.mockRestore());

  const outputsOf = (component: pulumi.ComponentResource) => resolved(pulumi, recorded.get(component));

  test("Redis: its link source and revision; the network: its name and ID", async () => {
    const redis = new RedisServer("r", { ...REDIS, linkMode: "network" }, {});
    expect(await outputsOf(redis)).toEqual({
      linkSource: await resolved(pulumi, redis.linkSource),
      revision: await resolved(pulumi, redis.revision),
    });
    expect(await outputsOf(redis.network)).toEqual({ name: "unit-net", id: "r-network-id" });
  });

  test("the app: its URL and revision; its container: the ref and revision; redis-cli: its outputs", async () => {
    const app = new CounterApp("app", {
      name: "a",
      image: "i",
      port: 3107,
      host: "localhost",
      link: link("network"),
    });
    expect(await outputsOf(app)).toEqual({
      url: "http://localhost:3107/",
      revision: await resolved(pulumi, app.revision),
    });
    expect(await outputsOf(app.container)).toEqual({
      ref: await resolved(pulumi, app.container.ref),
      revision: await resolved(pulumi, app.revision),
    });
    const cli = new RedisCli("cli", { name: "c", image: "i", link: link("network") });
    expect(await outputsOf(cli)).toEqual({ name: "c", attach: "docker attach c" });
  });

  test("the app image: its ID; the checks: their results", async () => {
    const image = new AppImage("img", { appName: "a", nodeImage: "node:unit" });
    expect(await outputsOf(image)).toEqual({ imageId: await resolved(pulumi, image.imageId) });
    const checks = new Verification("v", verificationArgs());
    expect(await outputsOf(checks)).toEqual({ results: await resolved(pulumi, checks.results) });
  });

  test("on a swarm: Redis's revision, the app's URL and revision, the gateway's service", async () => {
    const redis = new SwarmRedis("sr", { ...REDIS, readyTimeoutSeconds: 5 });
    expect(await outputsOf(redis)).toEqual({ revision: await resolved(pulumi, redis.revision) });
    const app = new SwarmApp("sa", {
      name: "a",
      image: "i",
      port: 3107,
      host: "localhost",
      link: link("network"),
      replicas: 2,
      publish: "gateway",
      gatewayImage: "node:unit",
      readyTimeoutSeconds: 5,
    });
    expect(await outputsOf(app)).toEqual({
      url: "http://localhost:3107/",
      revision: await resolved(pulumi, app.revision),
    });
    expect(app.gateway).toBeDefined();
    expect(await outputsOf(app.gateway!)).toEqual({ service: "sa-gateway-id" });
  });
});

function verificationArgs() {
  const out = <T>(value: T) => pulumi.output(value);
  return {
    alias: "redis",
    dataStore: {
      linkSource: out(SOURCE),
      address: out({ ip: SOURCE.ip }),
      checked: out({ container: "redis-server", id: "r1" }),
      revision: out("r1"),
    },
    app: {
      checked: out({ container: "web", id: "a1" }),
      reachesRedis: { mode: "legacy" as const, via: "network DNS" },
      url: "http://localhost:3107/",
      revision: out("a1"),
    },
    probe: { ref: out({ container: "probe", id: "p1" }), revision: out("p1") },
    cli: { ref: out({ container: "cli", id: "c1" }), revision: out("c1") },
    requests: 1,
    timeoutSeconds: 9,
  };
}
