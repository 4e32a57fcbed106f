// parseConfig and loadConfig, by behaviour: raw values in, a typed StackConfig or messages that name
// the key out. The keys' defaults come from Pulumi.yaml, read here on its own (not through
// lib/config), so a default that breaks its own rule or a key the parser ignores fails a test.
import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import {
  ConfigError,
  InvalidConfigError,
  loadConfig,
  parseConfig,
  ParseOptions,
  StackConfig,
} from "../../lib/config";

type Raw = Record<string, string>;

function parse(values: Raw, options?: ParseOptions): StackConfig {
  return parseConfig((key) => (Object.hasOwn(values, key) ? values[key] : undefined), options);
}

/** The InvalidConfigError parse throws; fails the test when it does not throw one. */
function parseError(values: Raw, options?: ParseOptions): InvalidConfigError {
  try {
    parse(values, options);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect(err).toBeInstanceOf(AggregateError);
    return err as InvalidConfigError;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be rejected`);
}

const DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

const DECLARED = (
  load(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8")) as {
    config: Record<string, { default: string | number | boolean }>;
  }
).config;

/** What an empty configuration must give: Pulumi.yaml's defaults, typed, empty ones left out. */
const DEFAULTS = Object.fromEntries(
  Object.entries(DECLARED)
    .filter(([, declaration]) => declaration.default !== "")
    .map(([key, declaration]) => [key, declaration.default]),
) as unknown as StackConfig;

describe("defaults", () => {
  test("an empty configuration gives Pulumi.yaml's defaults, typed, and no password", () => {
    const config = parse({});
    expect(config).toStrictEqual(DEFAULTS);
    expect(typeof config.appPort).toBe("number");
    expect(typeof config.retainData).toBe("boolean");
  });

  test("optional keys left empty are absent, not undefined (appImage, dataVolume)", () => {
    const config = parse({ appImage: "", dataVolume: "" });
    expect(Object.hasOwn(config, "appImage")).toBe(false);
    expect(Object.hasOwn(config, "dataVolume")).toBe(false);
  });

  test("every default set explicitly passes its own rule and gives the same configuration", () => {
    const explicit = Object.fromEntries(
      Object.entries(DECLARED).map(([key, declaration]) => [key, String(declaration.default)]),
    );
    expect(parse(explicit)).toStrictEqual(DEFAULTS);
  });

  test("parseConfig reads exactly the keys Pulumi.yaml declares, and redisPassword", () => {
    const read = new Set<string>();
    parseConfig((key) => {
      read.add(key);
      return undefined;
    });
    expect([...read].sort()).toEqual([...Object.keys(DECLARED), "redisPassword"].sort());
  });
});

describe("valid overrides", () => {
  // [key, raw value, value in StackConfig]
  test.each<[string, string, string | number | boolean]>([
    ["linkMode", "network", "network"],
    ["linkAlias", "db", "db"],
    ["linkAlias", "Redis-1", "Redis-1"],
    ["linkAlias", "r", "r"],
    ["linkAlias", "redis-server", "redis-server"],
    ["linkAlias", "a".repeat(63), "a".repeat(63)],
    ["redisName", "my_redis.1", "my_redis.1"],
    ["redisName", "r2", "r2"],
    ["redisName", "r".repeat(63), "r".repeat(63)],
    ["appName", "app2", "app2"],
    ["cliName", "cli", "cli"],
    ["probeName", "probe", "probe"],
    ["networkName", "links_net.1", "links_net.1"],
    ["networkName", "redis-server", "redis-server"],
    ["networkSubnet", "10.10.0.0/16", "10.10.0.0/16"],
    ["networkSubnet", "192.168.5.16/28", "192.168.5.16/28"],
    ["networkSubnet", "172.20.8.0/21", "172.20.8.0/21"],
    // Next to the reserved ranges, not in them.
    ["networkSubnet", "1.0.0.0/16", "1.0.0.0/16"],
    ["networkSubnet", "126.255.255.0/24", "126.255.255.0/24"],
    ["networkSubnet", "128.0.0.0/16", "128.0.0.0/16"],
    ["networkSubnet", "169.253.255.0/24", "169.253.255.0/24"],
    ["networkSubnet", "169.255.0.0/16", "169.255.0.0/16"],
    ["networkSubnet", "223.255.255.0/24", "223.255.255.0/24"],
    ["linkAlias", "localhost2", "localhost2"],
    ["linkAlias", "my-localhost", "my-localhost"],
    ["networkName", "bridge2", "bridge2"],
    ["networkName", "my_host", "my_host"],
    ["networkName", "n".repeat(63), "n".repeat(63)],
    ["appPort", "1", 1],
    ["appPort", "3001", 3001],
    ["appPort", "65535", 65535],
    ["appImage", "counter-app:dev", "counter-app:dev"],
    [
      "appImage",
      "registry.example.com:5000/team/counter-app:1.2.3",
      "registry.example.com:5000/team/counter-app:1.2.3",
    ],
    ["appImage", `localhost:5000/counter@${DIGEST}`, `localhost:5000/counter@${DIGEST}`],
    ["redisImage", "redis", "redis"],
    ["redisImage", "Registry.Example.com/redis:7", "Registry.Example.com/redis:7"],
    ["redisImage", "myregistry:5000/redis", "myregistry:5000/redis"],
    ["redisImage", "localhost/redis:7", "localhost/redis:7"],
    ["redisImage", "redis:7.2.4-alpine", "redis:7.2.4-alpine"],
    ["redisImage", "registry.example.org/library/redis:8.6", "registry.example.org/library/redis:8.6"],
    ["redisImage", `redis:8.6@${DIGEST}`, `redis:8.6@${DIGEST}`],
    ["redisImage", "my__org/re--dis:Tag_1.x", "my__org/re--dis:Tag_1.x"],
    ["redisImage", "r".repeat(512), "r".repeat(512)],
    ["nodeImage", "node:20-bookworm-slim", "node:20-bookworm-slim"],
    ["probeImage", `busybox@${DIGEST}`, `busybox@${DIGEST}`],
    ["dataVolume", "redis_data", "redis_data"],
    ["dataVolume", "v".repeat(128), "v".repeat(128)],
    ["retainData", "false", false],
    ["retainData", "true", true],
    ["checkRequests", "1", 1],
    ["checkRequests", "1000", 1000],
    ["readyTimeoutSeconds", "3600", 3600],
    ["appReplicas", "1", 1],
    ["appReplicas", "50", 50],
    ["appPublish", "gateway", "gateway"],
  ])("%s = %j", (key, value, parsed) => {
    expect(parse({ [key]: value })).toStrictEqual({ ...DEFAULTS, [key]: parsed });
  });

  test("the swarm target with network links", () => {
    expect(parse({ target: "swarm", linkMode: "network" })).toStrictEqual({
      ...DEFAULTS,
      target: "swarm",
      linkMode: "network",
    });
  });
});

const ENUM_TARGET = 'is not one of "container", "swarm"';
const ENUM_LINK = 'is not one of "legacy", "network"';
const NAME =
  'is not a valid name (2-63 characters: letters, digits, "_", ".", "-"; starting with a letter or digit)';
const NETWORK = "is not a valid network name (2-63 characters";
const VOLUME = "is not a valid volume name (2-128 characters";
const ALIAS = "is not a valid hostname label (1-63 characters";
const IMAGE =
  "is not a valid image reference ([registry[:port]/]name[:tag][@sha256:<64 hex>], name in lowercase)";
const BOOL = 'is not "true" or "false"';
const CIDR = "is not an IPv4 CIDR (a.b.c.d/prefix)";
const PREFIX = "has a prefix outside 16-28";
const PRIVATE = "range; use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)";
const DOCKER_NETWORK =
  "is the name of a network Docker manages itself (host, bridge, none, ingress, docker_gwbridge)";
const SELF_NAME =
  "names the container itself in every /etc/hosts (localhost and its IPv6 siblings); choose another alias";
const a64 = "a".repeat(64);

describe("rejected values", () => {
  // [key, raw value, value as shown in the message, rest of the message]
  test.each<[string, string, string, string]>([
    ["target", "Swarm", '"Swarm"', ENUM_TARGET],
    ["target", "", '""', ENUM_TARGET],
    ["target", "kubernetes", '"kubernetes"', ENUM_TARGET],
    ["linkMode", "bridge", '"bridge"', ENUM_LINK],
    ["linkMode", "LEGACY", '"LEGACY"', ENUM_LINK],
    ["linkMode", " legacy", '" legacy"', ENUM_LINK],
    ["appPort", "70000", '"70000"', "is not an integer in 1-65535"],
    ["appPort", "0", '"0"', "is not an integer in 1-65535"],
    ["appPort", "65536", '"65536"', "is not an integer in 1-65535"],
    ["appPort", "3000.5", '"3000.5"', "is not an integer in 1-65535"],
    ["appPort", "03e3", '"03e3"', "is not an integer in 1-65535"],
    ["appPort", "3e3", '"3e3"', "is not an integer in 1-65535"],
    ["appPort", " 3000", '" 3000"', "is not an integer in 1-65535"],
    ["appPort", "3000 ", '"3000 "', "is not an integer in 1-65535"],
    ["appPort", "", '""', "is not an integer in 1-65535"],
    ["appPort", "99999999999999999999", '"99999999999999999999"', "is not an integer in 1-65535"],
    ["appPort", "-1", '"-1"', "is not an integer in 1-65535"],
    ["appPort", "+3000", '"+3000"', "is not an integer in 1-65535"],
    ["appPort", "0x10", '"0x10"', "is not an integer in 1-65535"],
    ["appPort", "03000", '"03000"', "is not an integer in 1-65535"],
    ["appPort", "3_000", '"3_000"', "is not an integer in 1-65535"],
    ["appPort", "Infinity", '"Infinity"', "is not an integer in 1-65535"],
    ["checkRequests", "0", '"0"', "is not an integer in 1-1000"],
    ["checkRequests", "1001", '"1001"', "is not an integer in 1-1000"],
    ["readyTimeoutSeconds", "3601", '"3601"', "is not an integer in 1-3600"],
    ["readyTimeoutSeconds", "1.0", '"1.0"', "is not an integer in 1-3600"],
    ["appReplicas", "0", '"0"', "is not an integer in 1-50"],
    ["appReplicas", "51", '"51"', "is not an integer in 1-50"],
    ["retainData", "yes", '"yes"', BOOL],
    ["retainData", "True", '"True"', BOOL],
    ["retainData", "1", '"1"', BOOL],
    ["retainData", "", '""', BOOL],
    ["redisName", "bad name", '"bad name"', NAME],
    ["redisName", "-redis", '"-redis"', NAME],
    ["redisName", ".redis", '".redis"', NAME],
    ["redisName", "r", '"r"', NAME],
    ["redisName", "", '""', NAME],
    ["redisName", a64, `"${"a".repeat(60)}"... (64 characters)`, NAME],
    ["redisName", "redis;rm -rf /", '"redis;rm -rf /"', NAME],
    ["redisName", "$(reboot)", '"$(reboot)"', NAME],
    ["redisName", "redis\nserver", '"redis\\nserver"', NAME],
    ["redisName", '"redis"', '"\\"redis\\""', NAME],
    ["redisName", "rédis", '"r\\u00e9dis"', NAME],
    ["redisName", "/redis", '"/redis"', NAME],
    ["appName", "app/1", '"app/1"', NAME],
    ["cliName", "cli`id`", '"cli`id`"', NAME],
    ["probeName", "probe&", '"probe&"', NAME],
    ["linkAlias", "redis.db", '"redis.db"', ALIAS],
    ["linkAlias", "redis_db", '"redis_db"', ALIAS],
    ["linkAlias", "-redis", '"-redis"', ALIAS],
    ["linkAlias", "redis-", '"redis-"', ALIAS],
    ["linkAlias", "1redis", '"1redis"', ALIAS],
    ["linkAlias", "", '""', ALIAS],
    ["linkAlias", a64, `"${"a".repeat(60)}"... (64 characters)`, ALIAS],
    ["linkAlias", "re dis", '"re dis"', ALIAS],
    ["linkAlias", "'redis'", "\"'redis'\"", ALIAS],
    ["linkAlias", "$(id)", '"$(id)"', ALIAS],
    ["linkAlias", "redis;ls", '"redis;ls"', ALIAS],
    ["linkAlias", "redis\n", '"redis\\n"', ALIAS],
    ["linkAlias", "localhost", '"localhost"', SELF_NAME],
    ["linkAlias", "LocalHost", '"LocalHost"', SELF_NAME],
    ["linkAlias", "ip6-localhost", '"ip6-localhost"', SELF_NAME],
    ["linkAlias", "ip6-allrouters", '"ip6-allrouters"', SELF_NAME],
    // Every other name of Docker's default /etc/hosts (libnetwork's etchosts: "::1 localhost
    // ip6-localhost ip6-loopback", "fe00::0 ip6-localnet", "ff00::0 ip6-mcastprefix", "ff02::1
    // ip6-allnodes", "ff02::2 ip6-allrouters").
    ["linkAlias", "ip6-loopback", '"ip6-loopback"', SELF_NAME],
    ["linkAlias", "ip6-localnet", '"ip6-localnet"', SELF_NAME],
    ["linkAlias", "ip6-mcastprefix", '"ip6-mcastprefix"', SELF_NAME],
    ["linkAlias", "ip6-allnodes", '"ip6-allnodes"', SELF_NAME],
    ["networkName", "net work", '"net work"', NETWORK],
    ["networkName", "-net", '"-net"', NETWORK],
    ["networkName", a64, `"${"a".repeat(60)}"... (64 characters)`, NETWORK],
    ["networkName", "host", '"host"', DOCKER_NETWORK],
    ["networkName", "bridge", '"bridge"', DOCKER_NETWORK],
    ["networkName", "none", '"none"', DOCKER_NETWORK],
    ["networkName", "ingress", '"ingress"', DOCKER_NETWORK],
    ["networkName", "docker_gwbridge", '"docker_gwbridge"', DOCKER_NETWORK],
    ["networkName", "Bridge", '"Bridge"', DOCKER_NETWORK],
    ["networkName", "HOST", '"HOST"', DOCKER_NETWORK],
    [
      "networkSubnet",
      "172.31.240.5/24",
      '"172.31.240.5/24"',
      'is not a network address (did you mean "172.31.240.0/24"?)',
    ],
    [
      "networkSubnet",
      "10.0.1.0/16",
      '"10.0.1.0/16"',
      'is not a network address (did you mean "10.0.0.0/16"?)',
    ],
    ["networkSubnet", "172.31.240.0/8", '"172.31.240.0/8"', PREFIX],
    ["networkSubnet", "10.0.0.0/15", '"10.0.0.0/15"', PREFIX],
    ["networkSubnet", "10.0.0.0/29", '"10.0.0.0/29"', PREFIX],
    ["networkSubnet", "10.0.0.0/32", '"10.0.0.0/32"', PREFIX],
    ["networkSubnet", "10.0.0.0/33", '"10.0.0.0/33"', CIDR],
    ["networkSubnet", "172.31.240.0", '"172.31.240.0"', CIDR],
    ["networkSubnet", "256.1.1.0/24", '"256.1.1.0/24"', CIDR],
    ["networkSubnet", "172.031.240.0/24", '"172.031.240.0/24"', CIDR],
    ["networkSubnet", "172.31.240.0/024", '"172.31.240.0/024"', CIDR],
    ["networkSubnet", "172.31.240.0/24 ", '"172.31.240.0/24 "', CIDR],
    ["networkSubnet", "fd00::/64", '"fd00::/64"', CIDR],
    ["networkSubnet", "", '""', CIDR],
    ["networkSubnet", "0.0.0.0/16", '"0.0.0.0/16"', `overlaps 0.0.0.0/8, the "this network" ${PRIVATE}`],
    [
      "networkSubnet",
      "0.255.255.0/24",
      '"0.255.255.0/24"',
      `overlaps 0.0.0.0/8, the "this network" ${PRIVATE}`,
    ],
    ["networkSubnet", "127.0.0.0/24", '"127.0.0.0/24"', `overlaps 127.0.0.0/8, the loopback ${PRIVATE}`],
    ["networkSubnet", "127.255.0.0/16", '"127.255.0.0/16"', `overlaps 127.0.0.0/8, the loopback ${PRIVATE}`],
    [
      "networkSubnet",
      "169.254.0.0/16",
      '"169.254.0.0/16"',
      `overlaps 169.254.0.0/16, the link-local ${PRIVATE}`,
    ],
    [
      "networkSubnet",
      "169.254.169.0/24",
      '"169.254.169.0/24"',
      `overlaps 169.254.0.0/16, the link-local ${PRIVATE}`,
    ],
    ["networkSubnet", "224.0.0.0/24", '"224.0.0.0/24"', `overlaps 224.0.0.0/4, the multicast ${PRIVATE}`],
    [
      "networkSubnet",
      "239.255.255.0/24",
      '"239.255.255.0/24"',
      `overlaps 224.0.0.0/4, the multicast ${PRIVATE}`,
    ],
    [
      "networkSubnet",
      "240.0.0.0/16",
      '"240.0.0.0/16"',
      `overlaps 240.0.0.0/4, the reserved (and broadcast) ${PRIVATE}`,
    ],
    [
      "networkSubnet",
      "255.255.255.240/28",
      '"255.255.255.240/28"',
      `overlaps 240.0.0.0/4, the reserved (and broadcast) ${PRIVATE}`,
    ],
    ["redisImage", "Redis:7", '"Redis:7"', IMAGE],
    ["redisImage", "redis:7.0; rm -rf /", '"redis:7.0; rm -rf /"', IMAGE],
    ["redisImage", "redis 7", '"redis 7"', IMAGE],
    ["redisImage", "redis:$(id)", '"redis:$(id)"', IMAGE],
    ["redisImage", "redis:`id`", '"redis:`id`"', IMAGE],
    ["redisImage", "redis:7\n", '"redis:7\\n"', IMAGE],
    ["redisImage", '"redis:7"', '"\\"redis:7\\""', IMAGE],
    ["redisImage", "", '""', IMAGE],
    ["redisImage", "redis:", '"redis:"', IMAGE],
    ["redisImage", ":7", '":7"', IMAGE],
    ["redisImage", "redis:.7", '"redis:.7"', IMAGE],
    ["redisImage", "redis@sha256:abc", '"redis@sha256:abc"', IMAGE],
    ["redisImage", `redis:${"t".repeat(129)}`, `"redis:${"t".repeat(54)}"... (135 characters)`, IMAGE],
    ["redisImage", "r".repeat(513), `"${"r".repeat(60)}"... (513 characters)`, IMAGE],
    ["redisImage", "-redis:7", '"-redis:7"', IMAGE],
    ["redisImage", "redis//x", '"redis//x"', IMAGE],
    ["redisImage", "https://docker.io/redis:7", '"https://docker.io/redis:7"', IMAGE],
    ["appImage", " ", '" "', IMAGE],
    ["appImage", "Team/app", '"Team/app"', IMAGE],
    ["appImage", "registry.example.com/Team/app", '"registry.example.com/Team/app"', IMAGE],
    ["appImage", "registry.example.com:port/app", '"registry.example.com:port/app"', IMAGE],
    ["nodeImage", "node:18 bookworm", '"node:18 bookworm"', IMAGE],
    ["probeImage", "busybox:1.35&&id", '"busybox:1.35&&id"', IMAGE],
    ["dataVolume", "a", '"a"', VOLUME],
    ["dataVolume", "vol/ume", '"vol/ume"', VOLUME],
    ["dataVolume", ".vol", '".vol"', VOLUME],
    ["dataVolume", "v".repeat(129), `"${"v".repeat(60)}"... (129 characters)`, VOLUME],
  ])("%s = %j", (key, value, shown, problem) => {
    const err = parseError({ [key]: value });
    expect(err.errors).toHaveLength(1);
    const [only] = err.errors;
    expect(only).toBeInstanceOf(ConfigError);
    expect(only.key).toBe(key);
    expect(only.value).toBe(shown);
    expect(only.message).toContain(`container-links:${key}: ${shown} ${problem}`);
    expect(err.message).toContain(`container-links:${key}: ${shown} `);
  });

  test("one problem gives the full message", () => {
    const err = parseError({ appPort: "70000" });
    expect(err.name).toBe("InvalidConfigError");
    expect(err.errors[0].name).toBe("ConfigError");
    expect(err.message).toBe(
      "invalid stack configuration (1 problem; change with `pulumi config set <key> <value>` or remove with `pulumi config rm <key>`):\n" +
        '  container-links:appPort: "70000" is not an integer in 1-65535',
    );
  });

  test("several problems are reported together, in key order", () => {
    const err = parseError({
      linkMode: "bogus",
      appPort: "70000",
      redisImage: "bad image",
      retainData: "maybe",
      networkSubnet: "172.31.240.5/24",
    });
    expect(err.errors.map((e) => e.key)).toEqual([
      "linkMode",
      "networkSubnet",
      "appPort",
      "redisImage",
      "retainData",
    ]);
    expect(err.message).toBe(
      "invalid stack configuration (5 problems; change with `pulumi config set <key> <value>` or remove with `pulumi config rm <key>`):\n" +
        '  container-links:linkMode: "bogus" is not one of "legacy", "network"\n' +
        '  container-links:networkSubnet: "172.31.240.5/24" is not a network address (did you mean "172.31.240.0/24"?)\n' +
        '  container-links:appPort: "70000" is not an integer in 1-65535\n' +
        '  container-links:redisImage: "bad image" is not a valid image reference ([registry[:port]/]name[:tag][@sha256:<64 hex>], name in lowercase)\n' +
        '  container-links:retainData: "maybe" is not "true" or "false"',
    );
  });

  test("the namespace in messages can be changed", () => {
    expect(parseError({ appPort: "x" }, { namespace: "other" }).errors[0].message).toBe(
      'other:appPort: "x" is not an integer in 1-65535',
    );
  });
});

describe("hostile values are shown safely", () => {
  test.each<[string, string]>([
    ["redis\nserver", '"redis\\nserver"'],
    ["a\r\nb", '"a\\r\\nb"'],
    ["\u001b[31mred", '"\\u001b[31mred"'],
    ["\u009b31mred", '"\\u009b31mred"'],
    ["\u202eevil", '"\\u202eevil"'],
    ["del\u007f", '"del\\u007f"'],
    ["\u{1f642}", '"\\ud83d\\ude42"'],
    ["back\\slash", '"back\\\\slash"'],
    [`${"x".repeat(59)}!`, `"${"x".repeat(59)}!"`], // 60 characters: shown whole
    ["x".repeat(5000), `"${"x".repeat(60)}"... (5000 characters)`],
    ["é".repeat(61), `"${"\\u00e9".repeat(60)}"... (61 characters)`],
  ])("%j", (value, shown) => {
    const err = parseError({ redisName: value });
    expect(err.errors[0].value).toBe(shown);
    expect(err.errors[0].message).toBe(`container-links:redisName: ${shown} ${NAME}`);
    // One line per problem, printable ASCII only.
    expect(err.message.split("\n")).toHaveLength(2);
    expect(err.message).toMatch(/^[\x20-\x7e\n]*$/);
  });
});

describe("cross-key rules", () => {
  test.each<[Raw, string, string]>([
    [
      { appName: "redis-server" },
      "appName",
      'container-links:appName: "redis-server" is already used by redisName',
    ],
    [
      { cliName: "REDIS-SERVER" },
      "cliName",
      'container-links:cliName: "REDIS-SERVER" is already used by redisName',
    ],
    [
      { probeName: "counter-app" },
      "probeName",
      'container-links:probeName: "counter-app" is already used by appName',
    ],
    [
      { probeName: "redis-cli" },
      "probeName",
      'container-links:probeName: "redis-cli" is already used by cliName',
    ],
    [
      { linkAlias: "redis-cli" },
      "linkAlias",
      'container-links:linkAlias: "redis-cli" is also the name of cliName',
    ],
    [
      { linkAlias: "Counter-App" },
      "linkAlias",
      'container-links:linkAlias: "Counter-App" is also the name of appName',
    ],
    [
      { linkAlias: "link-probe" },
      "linkAlias",
      'container-links:linkAlias: "link-probe" is also the name of probeName',
    ],
    [
      { target: "swarm" },
      "linkMode",
      'container-links:linkMode: "legacy" cannot be used with target "swarm" (swarm services have no legacy links); use "network"',
    ],
    [
      { target: "swarm", linkMode: "legacy" },
      "linkMode",
      'container-links:linkMode: "legacy" cannot be used',
    ],
  ])("%j", (values, key, message) => {
    const err = parseError(values);
    expect(err.errors.map((e) => e.key)).toEqual([key]);
    expect(err.errors[0].message).toContain(message);
  });

  test("three identical names give two errors", () => {
    const err = parseError({ redisName: "same", appName: "same", cliName: "same" });
    expect(err.errors.map((e) => e.message)).toEqual([
      'container-links:appName: "same" is already used by redisName (container names must differ)',
      'container-links:cliName: "same" is already used by redisName (container names must differ)',
    ]);
  });

  test("an invalid redisName does not also fail the derived dataVolume", () => {
    expect(parseError({ redisName: "bad name" }).errors.map((e) => e.key)).toEqual(["redisName"]);
  });

  test("dataVolume is absent when unset (the data store names the volume after Redis)", () => {
    expect(Object.hasOwn(parse({ redisName: "cache" }), "dataVolume")).toBe(false);
  });
});

describe("redisPassword (secret)", () => {
  test.each([
    "s3cr3t.P+/=_-x12",
    "a".repeat(16),
    "a".repeat(512),
    "123e4567-e89b-12d3-a456-426614174000",
    "YWJjZGVmZ2hpamtsbW5vcA==",
    "0123456789abcdef0123456789abcdef",
  ])("%j is accepted and not returned", (pw) => {
    const config = parse({ redisPassword: pw });
    expect(config).toStrictEqual(DEFAULTS);
    expect(JSON.stringify(config)).not.toContain(pw);
  });

  test.each([
    "a".repeat(15),
    "0123abcd",
    "YWJj+/==",
    "has space in the middle",
    'quote"quote"quote"quote"',
    "it's a long enough one",
    "new\nline-and-long-enough",
    "-leading-and-long-enough",
    "a".repeat(513),
    "$(id)$(id)$(id)$(id)",
    "pa;sspa;sspa;sspa;ss",
    "back\\back\\back\\back\\",
    "tab\ttab\ttab\ttab\t",
    "ünïcödé-long-enough",
  ])("%j is rejected without showing it", (pw) => {
    const err = parseError({ redisPassword: pw });
    expect(err.errors).toHaveLength(1);
    expect(err.errors[0].key).toBe("redisPassword");
    expect(err.errors[0].value).toBe("(secret)");
    expect(err.errors[0].message).toBe(
      'container-links:redisPassword: (secret) must be 16-512 characters from A-Z a-z 0-9 . _ + / = -, not starting with "-"',
    );
    expect(JSON.stringify(err)).not.toContain(pw);
    expect(err.message).not.toContain(pw);
  });

  test("an empty password means no password", () => {
    expect(parse({ redisPassword: "" })).toStrictEqual(DEFAULTS);
  });

  test("a password stored in plain text is rejected when isSecret says so", () => {
    const err = parseError({ redisPassword: "plaintext-plaintext" }, { isSecret: () => false });
    expect(err.errors.map((e) => e.message)).toEqual([
      "container-links:redisPassword: (secret) is stored in plain text; set it with `pulumi config set --secret redisPassword <value>`",
    ]);
    expect(err.message).not.toContain("plaintext");
  });

  test("isSecret is not consulted for an unset password", () => {
    expect(parse({}, { isSecret: () => false })).toStrictEqual(DEFAULTS);
  });
});

describe("unknown keys", () => {
  test("misspelt and foreign keys are reported when presentKeys is given, with the key meant", () => {
    const err = parseError(
      { appPort: "3001" },
      {
        presentKeys: [
          "appPort",
          "appport",
          "retainDate",
          "redisPasword",
          "colour",
          "bad key\n",
          "\u001b[2Jwipe",
        ],
      },
    );
    expect(err.errors.map((e) => e.message)).toEqual([
      "container-links:appport: (value not shown) is not a known key (did you mean appPort?)",
      "container-links:retainDate: (value not shown) is not a known key (did you mean retainData?)",
      "container-links:redisPasword: (value not shown) is not a known key (did you mean redisPassword?)",
      "container-links:colour: (value not shown) is not a known key",
      'container-links:"bad key\\n": (value not shown) is not a known key',
      // A key-like tail does not make the whole key safe to print.
      'container-links:"\\u001b[2Jwipe": (value not shown) is not a known key',
    ]);
  });

  // Edit distances counted by hand (insertions, deletions, substitutions, case ignored).
  test.each<[string, string]>([
    ["appPo", " (did you mean appPort?)"], // 2 deletions
    ["appPoXYZ", ""], // 3 edits from appPort: no guess
    ["nobeImage", " (did you mean nodeImage?)"], // 1 from nodeImage, 2 from probeImage
    ["nrobeImage", " (did you mean probeImage?)"], // 2 from nodeImage, 1 from probeImage
    ["prdeImage", " (did you mean nodeImage?)"], // 2 from each: the one Pulumi.yaml declares first
  ])("the key meant by %j: the closest within two edits", (unknown, guess) => {
    expect(parseError({}, { presentKeys: [unknown] }).errors.map((e) => e.message)).toEqual([
      `container-links:${unknown}: (value not shown) is not a known key${guess}`,
    ]);
  });

  test("all known keys pass", () => {
    expect(parse({}, { presentKeys: [...Object.keys(DECLARED), "redisPassword"] })).toStrictEqual(DEFAULTS);
  });
});

describe("loadConfig (Pulumi adapter)", () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
      },
      "container-links",
      "dev",
      true,
    );
  });

  afterEach(() => {
    pulumi.runtime.setAllConfig({}, []);
    jest.restoreAllMocks();
  });

  test("reads the project namespace and returns the secret as a secret Output", async () => {
    pulumi.runtime.setAllConfig(
      {
        "container-links:appPort": "3001",
        "container-links:redisPassword": "hunter2hunter2hunter2",
        "docker:host": "x",
      },
      ["container-links:redisPassword"],
    );
    const loaded = loadConfig();
    expect(loaded.config).toStrictEqual({ ...DEFAULTS, appPort: 3001 });
    expect(loaded.redisPassword).toBeDefined();
    expect(await pulumi.isSecret(loaded.redisPassword!)).toBe(true);
    const plain = await new Promise<string>((resolve) =>
      pulumi.unsecret(loaded.redisPassword!).apply(resolve),
    );
    expect(plain).toBe("hunter2hunter2hunter2");
  });

  test("no password configured: no Output", () => {
    expect(loadConfig()).toStrictEqual({ config: DEFAULTS });
  });

  test("invalid configuration stops the program with a RunError naming each key", () => {
    pulumi.runtime.setAllConfig(
      {
        "container-links:appPort": "70000",
        "container-links:appport": "1",
        "container-links:redisPassword": "hunter 2",
      },
      [],
    );
    let thrown: unknown;
    try {
      loadConfig();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(pulumi.RunError);
    const message = (thrown as Error).message;
    expect(message).toContain('container-links:appPort: "70000" is not an integer in 1-65535');
    expect(message).toContain(
      "container-links:appport: (value not shown) is not a known key (did you mean appPort?)",
    );
    expect(message).toContain("container-links:redisPassword: (secret) must be 16-512 characters");
    expect(message).toContain("container-links:redisPassword: (secret) is stored in plain text");
    expect(message).not.toContain("hunter");
    expect((thrown as Error).cause).toBeInstanceOf(InvalidConfigError);
  });

  test("an SDK without isConfigSecret: the plain-text check is skipped, nothing else", () => {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: unknown };
    const isConfigSecret = runtime.isConfigSecret;
    runtime.isConfigSecret = undefined;
    try {
      pulumi.runtime.setAllConfig({ "container-links:redisPassword": "hunter2hunter2hunter2" }, []);
      expect(loadConfig().config).toStrictEqual(DEFAULTS);
      pulumi.runtime.setAllConfig({ "container-links:appPort": "0" }, []);
      expect(() => loadConfig()).toThrow('container-links:appPort: "0" is not an integer in 1-65535');
    } finally {
      runtime.isConfigSecret = isConfigSecret;
    }
  });

  test("a failure that is not about the values passes through as it is, not as a configuration error", () => {
    const failure = new Error("the config store cannot be read");
    jest.spyOn(pulumi.Config.prototype, "get").mockImplementation(() => {
      throw failure;
    });
    let thrown: unknown;
    try {
      loadConfig();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBe(failure);
  });
});
