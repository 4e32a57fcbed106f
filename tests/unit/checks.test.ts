// The pure parts of the checks: parsers for what the containers print and the comparisons the checks
// make. Samples are real output (busybox 1.35, iputils, glibc getent, redis-cli 7.0) written out by
// hand.
import {
  compareEnv,
  compareHostsLines,
  consecutiveFrom,
  describeEnvDifferences,
  formatHostsLine,
  isStrictlyIncreasingByOne,
} from "../../checks/support/compare";
import { containerReadiness, runningTaskAddresses } from "../../checks/support/inspect";
import {
  countServers,
  oneLine,
  parseEnv,
  parseHosts,
  parseHostsRecords,
  parseKeys,
  parsePing,
  parseTotalRequests,
  redisCliError,
} from "../../checks/support/parse";
import { linkVarPattern } from "../../lib/links";

const ENV_OUTPUT = [
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "HOSTNAME=18153eb51ac8",
  "REDIS_PORT=tcp://172.17.0.2:6379",
  "REDIS_PORT_6379_TCP=tcp://172.17.0.2:6379",
  "REDIS_PORT_6379_TCP_ADDR=172.17.0.2",
  "REDIS_PORT_6379_TCP_PORT=6379",
  "REDIS_PORT_6379_TCP_PROTO=tcp",
  "REDIS_NAME=/counter-app/redis",
  "REDIS_ENV_REDIS_VERSION=7.0.15",
  "REDIS_ENV_OPTS=--save 60 1 --appendonly=yes",
  "REDIS_HOST=redis",
  "REDIS_PASSWORD=not-a-link-var",
  "HOME=/",
  "",
].join("\n");

describe("parseEnv", () => {
  test.each<[string, string, string, Record<string, string>]>([
    [
      "the link variables of a legacy link, values with '=' kept whole",
      ENV_OUTPUT,
      "redis",
      {
        REDIS_PORT: "tcp://172.17.0.2:6379",
        REDIS_PORT_6379_TCP: "tcp://172.17.0.2:6379",
        REDIS_PORT_6379_TCP_ADDR: "172.17.0.2",
        REDIS_PORT_6379_TCP_PORT: "6379",
        REDIS_PORT_6379_TCP_PROTO: "tcp",
        REDIS_NAME: "/counter-app/redis",
        REDIS_ENV_REDIS_VERSION: "7.0.15",
        REDIS_ENV_OPTS: "--save 60 1 --appendonly=yes",
      },
    ],
    ["nothing for another alias", ENV_OUTPUT, "cache", {}],
    [
      "a hyphenated alias",
      "CACHE_DB_NAME=/app/cache-db\nCACHE_NAME=/x/cache\n",
      "cache-db",
      { CACHE_DB_NAME: "/app/cache-db" },
    ],
    [
      "values that are only '='",
      "REDIS_ENV_A==\nREDIS_ENV_B=a=b=c\n",
      "redis",
      { REDIS_ENV_A: "=", REDIS_ENV_B: "a=b=c" },
    ],
    ["an empty value", "REDIS_ENV_EMPTY=\n", "redis", { REDIS_ENV_EMPTY: "" }],
    [
      "CRLF line ends",
      "REDIS_NAME=/app/redis\r\nREDIS_PORT=tcp://1.2.3.4:6379\r\n",
      "redis",
      { REDIS_NAME: "/app/redis", REDIS_PORT: "tcp://1.2.3.4:6379" },
    ],
    ["lines without '=' and with an empty key", "REDIS_NAME\n=REDIS_NAME\ngarbage\n", "redis", {}],
    [
      "a repeated key keeps its last value",
      "REDIS_NAME=/a/redis\nREDIS_NAME=/b/redis\n",
      "redis",
      { REDIS_NAME: "/b/redis" },
    ],
    ["network mode: no link variables at all", "PATH=/bin\nREDIS_HOST=redis\nPORT=3000\n", "redis", {}],
    ["empty output", "", "redis", {}],
  ])("%s", (_name, text, alias, expected) => {
    expect(parseEnv(text, linkVarPattern(alias))).toEqual(expected);
  });
});

const ETC_HOSTS = [
  "127.0.0.1\tlocalhost",
  "::1\tlocalhost ip6-localhost ip6-loopback",
  "# a comment naming redis",
  "",
  "   ",
  "fe00::0\tip6-localnet",
  "172.17.0.2\tredis b188cc371a32 redis-server",
  "172.17.0.3\t18153eb51ac8",
  "10.0.0.9 other redis-replica   # redis mentioned in a trailing comment",
  "",
].join("\n");

describe("parseHostsRecords", () => {
  test("every record, comments and blank lines skipped, any whitespace between fields", () => {
    expect(parseHostsRecords(ETC_HOSTS)).toEqual([
      { ip: "127.0.0.1", names: ["localhost"] },
      { ip: "::1", names: ["localhost", "ip6-localhost", "ip6-loopback"] },
      { ip: "fe00::0", names: ["ip6-localnet"] },
      { ip: "172.17.0.2", names: ["redis", "b188cc371a32", "redis-server"] },
      { ip: "172.17.0.3", names: ["18153eb51ac8"] },
      { ip: "10.0.0.9", names: ["other", "redis-replica"] },
    ]);
  });

  test.each<[string, string, { ip: string; names: string[] }[]]>([
    ["getent hosts output", "172.31.240.10   redis\n", [{ ip: "172.31.240.10", names: ["redis"] }]],
    ["an address with no name is not a record", "172.17.0.9\n", []],
    ["empty", "", []],
  ])("%s", (_name, text, expected) => {
    expect(parseHostsRecords(text)).toEqual(expected);
  });
});

describe("parseHosts", () => {
  test.each<[string, string, string, { ip: string; names: string[] }[]]>([
    [
      "the link's line with all its names, in order",
      ETC_HOSTS,
      "redis",
      [{ ip: "172.17.0.2", names: ["redis", "b188cc371a32", "redis-server"] }],
    ],
    [
      "a name elsewhere on the line also counts",
      ETC_HOSTS,
      "redis-server",
      [{ ip: "172.17.0.2", names: ["redis", "b188cc371a32", "redis-server"] }],
    ],
    [
      "names are compared without regard to case",
      "172.17.0.2\tREDIS x\n",
      "redis",
      [{ ip: "172.17.0.2", names: ["REDIS", "x"] }],
    ],
    ["a prefix of a name is not the name", ETC_HOSTS, "redi", []],
    ["nothing in comments", "# 172.17.0.2 redis\n", "redis", []],
    [
      "several lines naming the alias (one per name, as separate extra hosts give)",
      "172.17.0.2\tredis\n172.17.0.2\tb188cc371a32\n172.17.0.2\tredis\n",
      "redis",
      [
        { ip: "172.17.0.2", names: ["redis"] },
        { ip: "172.17.0.2", names: ["redis"] },
      ],
    ],
    ["no line at all (network mode)", "127.0.0.1\tlocalhost\n172.18.0.3\tc46ee4110646\n", "redis", []],
  ])("%s", (_name, text, alias, expected) => {
    expect(parseHosts(text, alias)).toEqual(expected);
  });
});

const BUSYBOX_PING_OK = `PING redis (172.17.0.2): 56 data bytes
64 bytes from 172.17.0.2: seq=0 ttl=64 time=1.259 ms

--- redis ping statistics ---
1 packets transmitted, 1 packets received, 0% packet loss
round-trip min/avg/max = 1.259/1.259/1.259 ms
`;
const BUSYBOX_PING_LOST = `PING redis (172.17.0.2): 56 data bytes

--- redis ping statistics ---
1 packets transmitted, 0 packets received, 100% packet loss
`;
const IPUTILS_PING_OK = `PING redis (172.17.0.2) 56(84) bytes of data.
64 bytes from redis (172.17.0.2): icmp_seq=1 ttl=64 time=0.094 ms

--- redis ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.094/0.094/0.094/0.000 ms
`;
const IPUTILS_PING_LOST = `PING redis (172.17.0.2) 56(84) bytes of data.

--- redis ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms
`;
const IPUTILS_PING_ERRORS = `PING redis.example (10.1.2.3) 56(84) bytes of data.
From 10.0.0.1 icmp_seq=1 Destination Host Unreachable

--- redis.example ping statistics ---
1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
`;

describe("parsePing", () => {
  test.each<[string, string, ReturnType<typeof parsePing>]>([
    ["busybox, answered", BUSYBOX_PING_OK, { transmitted: 1, received: 1, address: "172.17.0.2" }],
    ["busybox, lost", BUSYBOX_PING_LOST, { transmitted: 1, received: 0, address: "172.17.0.2" }],
    ["iputils, answered", IPUTILS_PING_OK, { transmitted: 1, received: 1, address: "172.17.0.2" }],
    ["iputils, lost", IPUTILS_PING_LOST, { transmitted: 1, received: 0, address: "172.17.0.2" }],
    ["iputils, with errors", IPUTILS_PING_ERRORS, { transmitted: 1, received: 0, address: "10.1.2.3" }],
    [
      "busybox, several packets",
      "PING 10.0.0.1 (10.0.0.1): 56 data bytes\n\n--- 10.0.0.1 ping statistics ---\n3 packets transmitted, 2 packets received, 33% packet loss\n",
      { transmitted: 3, received: 2, address: "10.0.0.1" },
    ],
    [
      "busybox, unknown name (message on stderr only)",
      "",
      { transmitted: undefined, received: undefined, address: undefined },
    ],
    [
      "iputils, unknown name",
      "ping: nosuch: Name or service not known\n",
      { transmitted: undefined, received: undefined, address: undefined },
    ],
  ])("%s", (_name, text, expected) => {
    expect(parsePing(text)).toEqual(expected);
  });
});

const PAGE = (n: number) =>
  "This page was generated after talking to redis.\n\nApplication Build: 1\n\n" +
  `Total requests: ${n}\n\nIP count: \n    ::ffff:172.17.0.1: ${n}\n`;

describe("parseTotalRequests", () => {
  test.each<[string, string, number | undefined]>([
    ["the app's page", PAGE(7), 7],
    ["the first request", PAGE(1), 1],
    ["a large total", PAGE(123456), 123456],
    ["a total in the middle of a line", "x Total requests: 42 y", 42],
    ["the 503 page", "redis is not connected\n", undefined],
    ["no number", "Total requests: \n", undefined],
    ["a negative sign is not part of the count", "Total requests: -3", undefined],
    ["empty", "", undefined],
  ])("%s", (_name, body, expected) => {
    expect(parseTotalRequests(body)).toBe(expected);
  });
});

describe("parseKeys", () => {
  test.each<[string, string, string[]]>([
    ["the app's keys, sorted", "requests\nip\n", ["ip", "requests"]],
    ["an empty database prints one empty line", "\n", []],
    ["nothing at all", "", []],
    ["CRLF", "requests\r\nip\r\n", ["ip", "requests"]],
    ["keys with spaces stay whole", "my key\nip\nrequests\n", ["ip", "my key", "requests"]],
    ["sorted by code unit (upper case first)", "b\nB\na\n", ["B", "a", "b"]],
  ])("%s", (_name, text, expected) => {
    expect(parseKeys(text)).toEqual(expected);
  });
});

describe("redisCliError", () => {
  test.each<[string, string, string, ReturnType<typeof redisCliError>]>([
    ["keys listed", "ip\nrequests\n", "", undefined],
    ["no keys", "\n", "", undefined],
    [
      "NOAUTH (no password given; redis-cli exits 0)",
      "NOAUTH Authentication required.\n",
      "",
      { message: "NOAUTH Authentication required.", permanent: true },
    ],
    [
      "a wrong password",
      "NOAUTH Authentication required.\n",
      "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n",
      {
        message: "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.",
        permanent: true,
      },
    ],
    [
      "NOPERM",
      "NOPERM this user has no permissions to run the 'keys' command\n",
      "",
      { message: "NOPERM this user has no permissions to run the 'keys' command", permanent: true },
    ],
    [
      "LOADING can be waited out",
      "LOADING Redis is loading the dataset in memory\n",
      "",
      { message: "LOADING Redis is loading the dataset in memory", permanent: false },
    ],
    ["a key that looks like an error among others is a key", "ERR x\nip\n", "", undefined],
    ["an unknown upper-case word is a key", "REQUESTS\n", "", undefined],
  ])("%s", (_name, stdout, stderr, expected) => {
    expect(redisCliError(stdout, stderr)).toEqual(expected);
  });
});

describe("compareEnv", () => {
  test.each<[string, Record<string, string>, Record<string, string>, ReturnType<typeof compareEnv>]>([
    ["equal", { A: "1", B: "x=y" }, { B: "x=y", A: "1" }, []],
    ["both empty (network mode)", {}, {}, []],
    ["missing", { A: "1", B: "2" }, { A: "1" }, [{ key: "B", kind: "missing", expected: "2" }]],
    [
      "unexpected",
      {},
      { REDIS_PORT: "tcp://1.2.3.4:6379" },
      [{ key: "REDIS_PORT", kind: "unexpected", seen: "tcp://1.2.3.4:6379" }],
    ],
    ["different", { A: "1" }, { A: "2" }, [{ key: "A", kind: "different", expected: "1", seen: "2" }]],
    [
      "an empty value differs from a missing one",
      { A: "" },
      {},
      [{ key: "A", kind: "missing", expected: "" }],
    ],
    [
      "several, sorted by key",
      { C: "3", A: "1", B: "2" },
      { D: "4", B: "20", A: "1" },
      [
        { key: "B", kind: "different", expected: "2", seen: "20" },
        { key: "C", kind: "missing", expected: "3" },
        { key: "D", kind: "unexpected", seen: "4" },
      ],
    ],
  ])("%s", (_name, expected, seen, differences) => {
    expect(compareEnv(expected, seen)).toEqual(differences);
  });

  test("inherited object properties are not variables", () => {
    expect(compareEnv({ toString: "x" }, {})).toEqual([{ key: "toString", kind: "missing", expected: "x" }]);
    expect(compareEnv({}, {})).toEqual([]);
  });

  test("describeEnvDifferences says what was expected and what was seen", () => {
    expect(
      describeEnvDifferences([
        { key: "B", kind: "different", expected: "2", seen: "20" },
        { key: "C", kind: "missing", expected: "3" },
        { key: "D", kind: "unexpected", seen: "4" },
      ]),
    ).toEqual(['B: expected "2", seen "20"', 'C: missing (expected "3")', 'D: unexpected (seen "4")']);
  });
});

describe("compareHostsLines", () => {
  const expected = { ip: "172.17.0.2", names: ["redis", "b188cc371a32", "redis-server"] };
  test.each<[string, { ip: string; names: string[] }[], string[]]>([
    ["the same line", [{ ...expected }], []],
    ["no line", [], ['no line for the alias; expected "172.17.0.2 redis b188cc371a32 redis-server"']],
    [
      "two lines",
      [
        { ip: "172.17.0.2", names: ["redis"] },
        { ip: "172.17.0.2", names: ["redis", "redis-server"] },
      ],
      [
        '2 lines for the alias ("172.17.0.2 redis", "172.17.0.2 redis redis-server"); expected exactly one: ' +
          '"172.17.0.2 redis b188cc371a32 redis-server"',
      ],
    ],
    [
      "another address",
      [{ ...expected, ip: "172.17.0.9" }],
      ["address: expected 172.17.0.2, seen 172.17.0.9"],
    ],
    [
      "names in another order",
      [{ ip: "172.17.0.2", names: ["redis", "redis-server", "b188cc371a32"] }],
      ['names: expected "redis b188cc371a32 redis-server", seen "redis redis-server b188cc371a32"'],
    ],
    [
      "a name missing and another address",
      [{ ip: "10.0.0.1", names: ["redis", "b188cc371a32"] }],
      [
        "address: expected 172.17.0.2, seen 10.0.0.1",
        'names: expected "redis b188cc371a32 redis-server", seen "redis b188cc371a32"',
      ],
    ],
  ])("%s", (_name, seen, problems) => {
    expect(compareHostsLines(expected, seen)).toEqual(problems);
  });

  test("formatHostsLine joins with single spaces", () => {
    expect(formatHostsLine(expected)).toBe("172.17.0.2 redis b188cc371a32 redis-server");
  });
});

describe("isStrictlyIncreasingByOne and consecutiveFrom", () => {
  test.each<[number[], boolean]>([
    [[5, 6, 7], true],
    [[1], true],
    [[0, 1], true],
    [[], false],
    [[5, 7, 8], false],
    [[5, 5, 6], false],
    [[7, 6, 5], false],
    [[1, 2, 3, 5], false],
    [[1.5, 2.5], false],
    [[NaN], false],
  ])("%j -> %s", (numbers, expected) => {
    expect(isStrictlyIncreasingByOne(numbers)).toBe(expected);
  });

  test.each<[number, number, number[]]>([
    [5, 3, [5, 6, 7]],
    [1, 1, [1]],
    [9, 0, []],
  ])("consecutiveFrom(%d, %d)", (first, count, expected) => {
    expect(consecutiveFrom(first, count)).toEqual(expected);
  });
});

describe("containerReadiness", () => {
  const state = (extra: Record<string, unknown>) =>
    JSON.stringify({
      Status: "running",
      Running: true,
      Paused: false,
      Restarting: false,
      ExitCode: 0,
      Error: "",
      ...extra,
    });
  test.each<[string, string, ReturnType<typeof containerReadiness>]>([
    ["running, no healthcheck", state({}), { running: true, ready: true, final: false, describe: "running" }],
    [
      "healthy",
      state({ Health: { Status: "healthy", Log: [] } }),
      { running: true, ready: true, final: false, describe: "running, health: healthy" },
    ],
    [
      "health starting, with the last check's output",
      state({
        Health: {
          Status: "starting",
          Log: [{ ExitCode: 1, Output: "unhealthy:\n  connect ECONNREFUSED\n" }],
        },
      }),
      {
        running: true,
        ready: false,
        final: false,
        describe: "running, health: starting (last health check: unhealthy: connect ECONNREFUSED)",
      },
    ],
    [
      "unhealthy",
      state({ Health: { Status: "unhealthy", Log: [] } }),
      { running: true, ready: false, final: false, describe: "running, health: unhealthy" },
    ],
    [
      "paused",
      state({ Status: "paused", Paused: true }),
      { running: false, ready: false, final: false, describe: "paused" },
    ],
    [
      "restarting",
      state({ Status: "restarting", Running: true, Restarting: true }),
      { running: false, ready: false, final: false, describe: "restarting" },
    ],
    [
      "created, not started yet",
      state({ Status: "created", Running: false }),
      { running: false, ready: false, final: false, describe: "created" },
    ],
    [
      "exited",
      state({ Status: "exited", Running: false, ExitCode: 3 }),
      { running: false, ready: false, final: true, describe: "exited (exit code 3)" },
    ],
    [
      "dead, with an error",
      state({ Status: "dead", Running: false, Dead: true, Error: "oops" }),
      { running: false, ready: false, final: true, describe: "dead, error: oops" },
    ],
    [
      "not JSON",
      "<no value>\n",
      { running: false, ready: false, final: false, describe: 'unreadable state "<no value>"' },
    ],
    ["null", "null", { running: false, ready: false, final: false, describe: 'unreadable state "null"' }],
  ])("%s", (_name, json, expected) => {
    expect(containerReadiness(json)).toEqual(expected);
  });
});

describe("oneLine", () => {
  test.each<[string, number | undefined, string]>([
    ["a\n  b\tc\n", undefined, "a b c"],
    ["abcdef", 4, "abc…"],
    ["abcd", 4, "abcd"],
    ["", undefined, ""],
  ])("%j (max %s)", (text, max, expected) => {
    expect(oneLine(text, max)).toBe(expected);
  });
});

describe("swarm helpers", () => {
  test("runningTaskAddresses: running tasks' first address on the network, without prefix, sorted", () => {
    const attached = (network: string, ...addresses: string[]) => [
      { Network: { Spec: { Name: network } }, Addresses: addresses },
    ];
    const tasks = [
      { Status: { State: "running" }, NetworksAttachments: attached("net", "10.0.0.9/24") },
      { Status: { State: "running" }, NetworksAttachments: attached("net", "10.0.0.3/24", "10.0.0.4/24") },
      { Status: { State: "shutdown" }, NetworksAttachments: attached("net", "10.0.0.5/24") },
      { Status: { State: "running" }, NetworksAttachments: attached("other", "10.1.0.5/24") },
      { Status: { State: "running" } },
    ];
    expect(runningTaskAddresses(JSON.stringify(tasks), "net")).toEqual(["10.0.0.3", "10.0.0.9"]);
    expect(runningTaskAddresses("not json", "net")).toEqual([]);
    expect(runningTaskAddresses("{}", "net")).toEqual([]);
  });

  test("countServers: responses per X-Served-By, in first-answer order, without the unnamed", () => {
    expect(
      countServers([{ servedBy: "b" }, { servedBy: "a" }, { servedBy: null }, { servedBy: "b" }]),
    ).toEqual({ b: 2, a: 1 });
    expect(Object.keys(countServers([{ servedBy: "b" }, { servedBy: "a" }]))).toEqual(["b", "a"]);
  });
});
