// Expected values are written out by hand from moby's daemon/links/links.go behaviour, never
// recomputed with the code under test.
import {
  envPrefix,
  hostsEntry,
  hostsLine,
  isLinkVar,
  Link,
  LinkSource,
  linkEnv,
  linkEnvMap,
  mergeEnv,
  parsePortSpec,
  PortSpec,
  sortPorts,
} from "../../lib/links";

const REDIS_ID = "b188cc371a326f4e5d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e";
const IP = "172.17.0.2";
// The official redis image's ENV, plus the HOME a build can add.
const REDIS_IMAGE_ENV = [
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "HOME=/root",
  "GOSU_VERSION=1.17",
  "REDIS_VERSION=7.4.1",
];

const tcp = (port: number): PortSpec => ({ port, protocol: "tcp" });
const udp = (port: number): PortSpec => ({ port, protocol: "udp" });
const sctp = (port: number): PortSpec => ({ port, protocol: "sctp" });

function link(alias: string, source: Partial<LinkSource> = {}, parentName = "web"): Link {
  return {
    alias,
    parentName,
    source: { name: "redis-server", id: REDIS_ID, ip: IP, exposedPorts: [], env: [], ...source },
  };
}

describe("envPrefix", () => {
  test.each([
    ["redis", "REDIS"],
    ["redis-db", "REDIS_DB"],
    ["a-b-c", "A_B_C"],
    ["my_db.v2", "MY_DB.V2"],
    ["Redis", "REDIS"],
  ])("%s -> %s", (alias, expected) => {
    expect(envPrefix(alias)).toBe(expected);
  });
});

describe("parsePortSpec", () => {
  test.each<[string, PortSpec]>([
    ["6379/tcp", { port: 6379, protocol: "tcp" }],
    ["6379", { port: 6379, protocol: "tcp" }],
    ["53/udp", { port: 53, protocol: "udp" }],
    ["53/UDP", { port: 53, protocol: "udp" }],
    ["9/sctp", { port: 9, protocol: "sctp" }],
    ["1", { port: 1, protocol: "tcp" }],
    ["65535/tcp", { port: 65535, protocol: "tcp" }],
  ])("parses %s", (spec, expected) => {
    expect(parsePortSpec(spec)).toEqual(expected);
  });

  test.each([
    "",
    "abc",
    "0",
    "65536",
    "-1",
    "6379/",
    "6379/icmp",
    "tcp/6379",
    "8000-8002/tcp",
    " 6379",
    "6379/tcp/x",
  ])("rejects %j", (spec) => {
    expect(() => parsePortSpec(spec)).toThrow(`invalid port spec ${JSON.stringify(spec)}`);
  });
});

describe("sortPorts", () => {
  test.each<[string, PortSpec[], PortSpec[]]>([
    ["tcp ascending", [tcp(443), tcp(80), tcp(8080)], [tcp(80), tcp(443), tcp(8080)]],
    ["tcp before a lower udp port", [udp(53), tcp(8080)], [tcp(8080), udp(53)]],
    [
      "other protocols by name, then number",
      [udp(53), sctp(9), udp(5), tcp(80), sctp(2)],
      [tcp(80), sctp(2), sctp(9), udp(5), udp(53)],
    ],
    ["empty", [], []],
  ])("%s", (_name, input, expected) => {
    const before = [...input];
    expect(sortPorts(input)).toEqual(expected);
    expect(input).toEqual(before);
  });
});

const LINK_ENV_CASES: [string, Link, string[]][] = [
  [
    "the tutorial's redis (6379/tcp, image env without HOME and PATH)",
    link("redis", { exposedPorts: [tcp(6379)], env: REDIS_IMAGE_ENV }),
    [
      "REDIS_PORT=tcp://172.17.0.2:6379",
      "REDIS_PORT_6379_TCP=tcp://172.17.0.2:6379",
      "REDIS_PORT_6379_TCP_ADDR=172.17.0.2",
      "REDIS_PORT_6379_TCP_PORT=6379",
      "REDIS_PORT_6379_TCP_PROTO=tcp",
      "REDIS_NAME=/web/redis",
      "REDIS_ENV_GOSU_VERSION=1.17",
      "REDIS_ENV_REDIS_VERSION=7.4.1",
    ],
  ],
  [
    "several ports: tcp ascending, then udp",
    link("db", { exposedPorts: [udp(53), tcp(443), tcp(80)] }),
    [
      "DB_PORT=tcp://172.17.0.2:80",
      "DB_PORT_80_TCP=tcp://172.17.0.2:80",
      "DB_PORT_80_TCP_ADDR=172.17.0.2",
      "DB_PORT_80_TCP_PORT=80",
      "DB_PORT_80_TCP_PROTO=tcp",
      "DB_PORT_443_TCP=tcp://172.17.0.2:443",
      "DB_PORT_443_TCP_ADDR=172.17.0.2",
      "DB_PORT_443_TCP_PORT=443",
      "DB_PORT_443_TCP_PROTO=tcp",
      "DB_PORT_53_UDP=udp://172.17.0.2:53",
      "DB_PORT_53_UDP_ADDR=172.17.0.2",
      "DB_PORT_53_UDP_PORT=53",
      "DB_PORT_53_UDP_PROTO=udp",
      "DB_NAME=/web/db",
    ],
  ],
  [
    "tcp comes first even when the udp port number is lower",
    link("dns", { exposedPorts: [udp(53), tcp(8080)] }),
    [
      "DNS_PORT=tcp://172.17.0.2:8080",
      "DNS_PORT_8080_TCP=tcp://172.17.0.2:8080",
      "DNS_PORT_8080_TCP_ADDR=172.17.0.2",
      "DNS_PORT_8080_TCP_PORT=8080",
      "DNS_PORT_8080_TCP_PROTO=tcp",
      "DNS_PORT_53_UDP=udp://172.17.0.2:53",
      "DNS_PORT_53_UDP_ADDR=172.17.0.2",
      "DNS_PORT_53_UDP_PORT=53",
      "DNS_PORT_53_UDP_PROTO=udp",
      "DNS_NAME=/web/dns",
    ],
  ],
  [
    "a range at the end (8000-8002/tcp) gets START/END vars after its last port",
    link("web", { exposedPorts: [tcp(8002), tcp(8000), tcp(8001)] }, "client"),
    [
      "WEB_PORT=tcp://172.17.0.2:8000",
      "WEB_PORT_8000_TCP=tcp://172.17.0.2:8000",
      "WEB_PORT_8000_TCP_ADDR=172.17.0.2",
      "WEB_PORT_8000_TCP_PORT=8000",
      "WEB_PORT_8000_TCP_PROTO=tcp",
      "WEB_PORT_8001_TCP=tcp://172.17.0.2:8001",
      "WEB_PORT_8001_TCP_ADDR=172.17.0.2",
      "WEB_PORT_8001_TCP_PORT=8001",
      "WEB_PORT_8001_TCP_PROTO=tcp",
      "WEB_PORT_8002_TCP=tcp://172.17.0.2:8002",
      "WEB_PORT_8002_TCP_ADDR=172.17.0.2",
      "WEB_PORT_8002_TCP_PORT=8002",
      "WEB_PORT_8002_TCP_PROTO=tcp",
      "WEB_PORT_8000_TCP_START=tcp://172.17.0.2:8000",
      "WEB_PORT_8000_TCP_PORT_START=8000",
      "WEB_PORT_8000_TCP_END=tcp://172.17.0.2:8002",
      "WEB_PORT_8000_TCP_PORT_END=8002",
      "WEB_NAME=/client/web",
    ],
  ],
  [
    "a range followed by another port: range vars come after that port's vars",
    link("app", { exposedPorts: [tcp(9000), tcp(8001), tcp(8000)] }),
    [
      "APP_PORT=tcp://172.17.0.2:8000",
      "APP_PORT_8000_TCP=tcp://172.17.0.2:8000",
      "APP_PORT_8000_TCP_ADDR=172.17.0.2",
      "APP_PORT_8000_TCP_PORT=8000",
      "APP_PORT_8000_TCP_PROTO=tcp",
      "APP_PORT_8001_TCP=tcp://172.17.0.2:8001",
      "APP_PORT_8001_TCP_ADDR=172.17.0.2",
      "APP_PORT_8001_TCP_PORT=8001",
      "APP_PORT_8001_TCP_PROTO=tcp",
      "APP_PORT_9000_TCP=tcp://172.17.0.2:9000",
      "APP_PORT_9000_TCP_ADDR=172.17.0.2",
      "APP_PORT_9000_TCP_PORT=9000",
      "APP_PORT_9000_TCP_PROTO=tcp",
      "APP_PORT_8000_TCP_START=tcp://172.17.0.2:8000",
      "APP_PORT_8000_TCP_PORT_START=8000",
      "APP_PORT_8000_TCP_END=tcp://172.17.0.2:8001",
      "APP_PORT_8000_TCP_PORT_END=8001",
      "APP_NAME=/web/app",
    ],
  ],
  [
    "consecutive numbers of different protocols are not a range",
    link("mix", { exposedPorts: [udp(8001), tcp(8000)] }),
    [
      "MIX_PORT=tcp://172.17.0.2:8000",
      "MIX_PORT_8000_TCP=tcp://172.17.0.2:8000",
      "MIX_PORT_8000_TCP_ADDR=172.17.0.2",
      "MIX_PORT_8000_TCP_PORT=8000",
      "MIX_PORT_8000_TCP_PROTO=tcp",
      "MIX_PORT_8001_UDP=udp://172.17.0.2:8001",
      "MIX_PORT_8001_UDP_ADDR=172.17.0.2",
      "MIX_PORT_8001_UDP_PORT=8001",
      "MIX_PORT_8001_UDP_PROTO=udp",
      "MIX_NAME=/web/mix",
    ],
  ],
  [
    "a udp range (sctp sorts before udp)",
    link("q", { exposedPorts: [udp(61), udp(60), sctp(9)] }),
    [
      "Q_PORT=sctp://172.17.0.2:9",
      "Q_PORT_9_SCTP=sctp://172.17.0.2:9",
      "Q_PORT_9_SCTP_ADDR=172.17.0.2",
      "Q_PORT_9_SCTP_PORT=9",
      "Q_PORT_9_SCTP_PROTO=sctp",
      "Q_PORT_60_UDP=udp://172.17.0.2:60",
      "Q_PORT_60_UDP_ADDR=172.17.0.2",
      "Q_PORT_60_UDP_PORT=60",
      "Q_PORT_60_UDP_PROTO=udp",
      "Q_PORT_61_UDP=udp://172.17.0.2:61",
      "Q_PORT_61_UDP_ADDR=172.17.0.2",
      "Q_PORT_61_UDP_PORT=61",
      "Q_PORT_61_UDP_PROTO=udp",
      "Q_PORT_60_UDP_START=udp://172.17.0.2:60",
      "Q_PORT_60_UDP_PORT_START=60",
      "Q_PORT_60_UDP_END=udp://172.17.0.2:61",
      "Q_PORT_60_UDP_PORT_END=61",
      "Q_NAME=/web/q",
    ],
  ],
  [
    "alias with '-' (prefix uses '_', NAME keeps the alias)",
    link("redis-db", { exposedPorts: [tcp(6379)], env: ["GOSU_VERSION=1.17"] }),
    [
      "REDIS_DB_PORT=tcp://172.17.0.2:6379",
      "REDIS_DB_PORT_6379_TCP=tcp://172.17.0.2:6379",
      "REDIS_DB_PORT_6379_TCP_ADDR=172.17.0.2",
      "REDIS_DB_PORT_6379_TCP_PORT=6379",
      "REDIS_DB_PORT_6379_TCP_PROTO=tcp",
      "REDIS_DB_NAME=/web/redis-db",
      "REDIS_DB_ENV_GOSU_VERSION=1.17",
    ],
  ],
  [
    // Split at the first "=" as links.go does (strings.SplitN(v, "=", 2)): "=orphan" has an empty key.
    "env copied unchanged: '=' in values, key case kept, no-'=' entries and exactly HOME/PATH dropped",
    link("redis", {
      env: [
        "URL=redis://h:6379/0?a=b",
        "lower_key=x",
        "EMPTY=",
        "=orphan",
        "NOVALUE",
        "HOME=/root",
        "PATH=/bin",
        "home=/h",
        "PATHS=1",
      ],
    }),
    [
      "REDIS_NAME=/web/redis",
      "REDIS_ENV_URL=redis://h:6379/0?a=b",
      "REDIS_ENV_lower_key=x",
      "REDIS_ENV_EMPTY=",
      "REDIS_ENV_=orphan",
      "REDIS_ENV_home=/h",
      "REDIS_ENV_PATHS=1",
    ],
  ],
  [
    "a port listed twice yields one set of vars; a leading '/' on the parent name is not doubled",
    link("redis", { exposedPorts: [tcp(6379), tcp(6379)] }, "/web"),
    [
      "REDIS_PORT=tcp://172.17.0.2:6379",
      "REDIS_PORT_6379_TCP=tcp://172.17.0.2:6379",
      "REDIS_PORT_6379_TCP_ADDR=172.17.0.2",
      "REDIS_PORT_6379_TCP_PORT=6379",
      "REDIS_PORT_6379_TCP_PROTO=tcp",
      "REDIS_NAME=/web/redis",
    ],
  ],
];

describe("linkEnv", () => {
  test.each(LINK_ENV_CASES)("%s", (_name, input, expected) => {
    expect(linkEnv(input)).toEqual(expected);
  });
});

describe("linkEnvMap", () => {
  test.each([
    ["REDIS_PORT", "tcp://172.17.0.2:6379"],
    ["REDIS_PORT_6379_TCP_ADDR", "172.17.0.2"],
    ["REDIS_NAME", "/web/redis"],
    ["REDIS_ENV_URL", "redis://h:6379/0?a=b"],
    ["REDIS_ENV_HOME", undefined],
  ])("%s -> %s", (key, expected) => {
    const env = linkEnvMap(
      link("redis", { exposedPorts: [tcp(6379)], env: ["URL=redis://h:6379/0?a=b", "HOME=/root"] }),
    );
    expect(env[key]).toBe(expected);
  });
});

describe("hosts entry", () => {
  test.each<[string, Link, string[], string]>([
    [
      "the tutorial's redis: alias, id-derived hostname, name",
      link("redis"),
      ["redis", "b188cc371a32", "redis-server"],
      "172.17.0.2\tredis b188cc371a32 redis-server",
    ],
    [
      "name equal to the alias is left out",
      link("redis", { name: "redis" }),
      ["redis", "b188cc371a32"],
      "172.17.0.2\tredis b188cc371a32",
    ],
    [
      "explicit hostname replaces the id prefix",
      link("redis", { hostname: "cache" }),
      ["redis", "cache", "redis-server"],
      "172.17.0.2\tredis cache redis-server",
    ],
    [
      "empty hostname falls back to the id prefix",
      link("redis", { hostname: "" }),
      ["redis", "b188cc371a32", "redis-server"],
      "172.17.0.2\tredis b188cc371a32 redis-server",
    ],
    [
      "hostname equal to the alias is still listed (Docker does not deduplicate)",
      link("redis", { hostname: "redis" }),
      ["redis", "redis", "redis-server"],
      "172.17.0.2\tredis redis redis-server",
    ],
    [
      "alias with '-' and another address",
      link("redis-db", { ip: "10.0.0.5", id: "0123456789abcdef" }),
      ["redis-db", "0123456789ab", "redis-server"],
      "10.0.0.5\tredis-db 0123456789ab redis-server",
    ],
  ])("%s", (_name, input, names, line) => {
    expect(hostsEntry(input)).toEqual({ ip: input.source.ip, names });
    expect(hostsLine(input)).toBe(line);
  });
});

describe("mergeEnv", () => {
  test.each<[string, string[], string[], string[]]>([
    [
      "no overlap: link vars, then own env",
      ["REDIS_PORT=tcp://a:1"],
      ["NODE_ENV=production"],
      ["REDIS_PORT=tcp://a:1", "NODE_ENV=production"],
    ],
    [
      "own env wins over a link var of the same name",
      ["REDIS_PORT=tcp://a:1", "REDIS_NAME=/web/redis", "REDIS_ENV_X=1"],
      ["REDIS_NAME=mine", "A=1"],
      ["REDIS_PORT=tcp://a:1", "REDIS_ENV_X=1", "REDIS_NAME=mine", "A=1"],
    ],
    [
      "own entry without '=' unsets the link var",
      ["REDIS_PORT=tcp://a:1", "REDIS_NAME=/web/redis"],
      ["REDIS_NAME"],
      ["REDIS_PORT=tcp://a:1"],
    ],
    ["own values containing '=' are kept whole", ["K=link"], ["K=a=b"], ["K=a=b"]],
    ["empty own env", ["K=v"], [], ["K=v"]],
    ["no link vars", [], ["K=v"], ["K=v"]],
  ])("%s", (_name, linkVars, ownEnv, expected) => {
    expect(mergeEnv(linkVars, ownEnv)).toEqual(expected);
  });
});

describe("isLinkVar", () => {
  test.each<[string, string, boolean]>([
    ["redis", "REDIS_PORT", true],
    ["redis", "REDIS_PORT_6379_TCP", true],
    ["redis", "REDIS_PORT_6379_TCP_ADDR", true],
    ["redis", "REDIS_PORT_6379_TCP_PORT", true],
    ["redis", "REDIS_PORT_6379_TCP_PROTO", true],
    ["redis", "REDIS_PORT_53_UDP", true],
    ["redis", "REDIS_PORT_9_SCTP_ADDR", true],
    ["redis", "REDIS_PORT_8000_TCP_START", true],
    ["redis", "REDIS_PORT_8000_TCP_PORT_START", true],
    ["redis", "REDIS_PORT_8000_TCP_END", true],
    ["redis", "REDIS_PORT_8000_TCP_PORT_END", true],
    ["redis", "REDIS_NAME", true],
    ["redis", "REDIS_ENV_GOSU_VERSION", true],
    ["redis", "REDIS_ENV_lower_key", true],
    ["redis-db", "REDIS_DB_PORT", true],
    ["redis-db", "REDIS_DB_ENV_X", true],
    ["redis", "REDIS_DB_PORT", false],
    ["redis", "REDIS", false],
    ["redis", "REDIS_", false],
    ["redis", "REDIS_HOST", false],
    ["redis", "REDIS_PORTS", false],
    ["redis", "REDIS_PORT_6379", false],
    ["redis", "REDIS_PORT_6379_tcp", false],
    ["redis", "REDIS_PORT_6379_ICMP", false],
    ["redis", "REDIS_PORT_6379_TCP_HOST", false],
    ["redis", "REDIS_PORT_X_TCP", false],
    ["redis", "REDIS_NAME_X", false],
    ["redis", "REDISPORT", false],
    ["redis", "redis_PORT", false],
    ["redis", "OTHER_PORT", false],
    ["redis", "NODE_ENV", false],
  ])("alias %s, key %s -> %s", (alias, key, expected) => {
    expect(isLinkVar(alias, key)).toBe(expected);
  });

  test.each(LINK_ENV_CASES)("accepts every key linkEnv gives for: %s", (_name, input, expected) => {
    for (const entry of expected)
      expect([entry, isLinkVar(input.alias, entry.split("=")[0])]).toEqual([entry, true]);
  });
});
