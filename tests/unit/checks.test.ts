// The parts of the checks that need no engine: parsers for what the containers print and the
// comparisons the checks make (samples are real output of busybox 1.35, iputils, glibc getent and
// redis-cli 7.0, written out by hand), bounded waiting on a fake clock, the HTTP client against
// servers on loopback, and run.js as a module. Everything that runs the docker CLI is
// checks-run.test.ts's.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { describeAnswer, get } from "../../checks/support/client";
import {
  compareEnv,
  compareHostsLines,
  consecutiveFrom,
  describeEnvDifferences,
  formatHostsLine,
  isStrictlyIncreasingByOne,
} from "../../checks/support/compare";
import { deadlineIn, retryUntil } from "../../checks/support/deadline";
import { callTimeout, failureText, outputLines, shortId } from "../../checks/support/docker";
import { CheckFailure } from "../../checks/support/failure";
import {
  containerReadiness,
  lostNodes,
  runningTaskAddresses,
  stoppingTasks,
} from "../../checks/support/inspect";
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
    [
      "lines without '=' (a value's continuation line) and with an empty key",
      "REDIS_NAME\nREDIS_NAMEX\n=REDIS_NAME\ngarbage\n",
      "redis",
      {},
    ],
    [
      "only the line end's CR goes: one inside a value stays",
      "REDIS_ENV_X=a\rb\r\n",
      "redis",
      { REDIS_ENV_X: "a\rb" },
    ],
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

  test("a line that starts with '=' (a multi-line value's next line) is no variable, even for a pattern that takes any name", () => {
    // `env` prints NAME=VALUE as is: a value "a\n=b" shows as the lines "X=a" and "=b". POSIX
    // names are never empty, so "=b" is not a variable named "".
    expect(parseEnv("X=a\n=b\nY=c\n", /^/)).toEqual({ X: "a", Y: "c" });
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
    [
      "CRLF line ends, a comment included",
      "10.0.0.9 other # redis\r\n172.17.0.2 redis\r\n",
      [
        { ip: "10.0.0.9", names: ["other"] },
        { ip: "172.17.0.2", names: ["redis"] },
      ],
    ],
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
      "ten packets (counts of more than one digit)",
      "PING redis (172.17.0.2): 56 data bytes\n\n--- redis ping statistics ---\n10 packets transmitted, 10 packets received, 0% packet loss\n",
      { transmitted: 10, received: 10, address: "172.17.0.2" },
    ],
    [
      "only a line that starts with PING is the header",
      "warning: PING redis (10.9.9.9) was cached\nPING redis (172.17.0.2): 56 data bytes\n",
      { transmitted: undefined, received: undefined, address: "172.17.0.2" },
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
    ["only the line end's CR goes: one inside a key stays", "a\rb\r\n", ["a\rb"]],
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
    ["a lone key ending in an error word is a key", "MY_ERR\n", "", undefined],
    [
      "an error reply that mentions NOPERM later can be waited out",
      "ERR unknown subcommand NOPERM\n",
      "",
      { message: "ERR unknown subcommand NOPERM", permanent: false },
    ],
    [
      "CR and spaces around the reply and blank lines are not part of it",
      "NOAUTH Authentication required.  \r\n   \n",
      "AUTH failed: WRONGPASS invalid username-password pair \r\n",
      { message: "AUTH failed: WRONGPASS invalid username-password pair", permanent: true },
    ],
    [
      "an error reply with trailing spaces, alone",
      "LOADING Redis is loading the dataset in memory \r\n\t\n",
      "",
      { message: "LOADING Redis is loading the dataset in memory", permanent: false },
    ],
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
    [
      "null with docker's line end",
      "null\n",
      { running: false, ready: false, final: false, describe: 'unreadable state "null"' },
    ],
    ["a number", "42", { running: false, ready: false, final: false, describe: 'unreadable state "42"' }],
    ["no Status", "{}", { running: false, ready: false, final: false, describe: "unknown" }],
    [
      "a Health of null is no healthcheck",
      state({ Health: null }),
      { running: true, ready: true, final: false, describe: "running" },
    ],
    [
      "healthy: the last check's output is not shown",
      state({ Health: { Status: "healthy", Log: [{ ExitCode: 0, Output: "ok\n" }] } }),
      { running: true, ready: true, final: false, describe: "running, health: healthy" },
    ],
    [
      "a last check that printed only whitespace adds nothing",
      state({ Health: { Status: "starting", Log: [{ ExitCode: 1, Output: " \n" }] } }),
      { running: true, ready: false, final: false, describe: "running, health: starting" },
    ],
    [
      "being removed",
      state({ Status: "removing", Running: false }),
      { running: false, ready: false, final: true, describe: "removing" },
    ],
    [
      "exited, but its restart policy is about to start it again",
      state({ Status: "exited", Running: false, Restarting: true, ExitCode: 1 }),
      { running: false, ready: false, final: false, describe: "exited (exit code 1)" },
    ],
    [
      "a health status that is not text is no health status",
      state({ Health: { Status: 7, Log: [] } }),
      { running: true, ready: true, final: false, describe: "running" },
    ],
    [
      "a last check without output (no Output field) adds nothing",
      state({ Health: { Status: "unhealthy", Log: [{ ExitCode: 1 }] } }),
      { running: true, ready: false, final: false, describe: "running, health: unhealthy" },
    ],
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
  // Docker's task states: DesiredState is what swarm wants (running, shutdown, remove), Status.State
  // what the task is (running until its container has stopped).
  test("stoppingTasks: the tasks swarm is stopping that still run", () => {
    const tasks = [
      { ID: "replaced", DesiredState: "shutdown", Status: { State: "running" } },
      { ID: "current", DesiredState: "running", Status: { State: "running" } },
      { ID: "stopped", DesiredState: "shutdown", Status: { State: "shutdown" } },
      { ID: "failed", DesiredState: "shutdown", Status: { State: "failed" } },
      { ID: "scaled-away", DesiredState: "remove", Status: { State: "running" } },
    ];
    expect(stoppingTasks(JSON.stringify(tasks))).toEqual(["replaced", "scaled-away"]);
    expect(stoppingTasks("not json")).toEqual([]);
    expect(stoppingTasks("{}")).toEqual([]);
    expect(stoppingTasks(JSON.stringify([null, { Status: null }, { DesiredState: "shutdown" }]))).toEqual([]);
  });

  test("stoppingTasks: tasks on the nodes left out are not counted", () => {
    const tasks = [
      { ID: "on-lost-node", NodeID: "n2", DesiredState: "shutdown", Status: { State: "running" } },
      { ID: "on-live-node", NodeID: "n1", DesiredState: "shutdown", Status: { State: "running" } },
    ];
    expect(stoppingTasks(JSON.stringify(tasks), new Set(["n2"]))).toEqual(["on-live-node"]);
    expect(stoppingTasks(JSON.stringify(tasks), new Set(["n1", "n2"]))).toEqual([]);
    expect(stoppingTasks(JSON.stringify(tasks), new Set())).toEqual(["on-lost-node", "on-live-node"]);
  });

  // `docker node ls --format '{{.ID}} {{.Status}}'`: Docker prints the status as Ready, Down,
  // Unknown or Disconnected.
  test("lostNodes: every node whose status is not Ready", () => {
    const ls = [
      "m15x0kgbcmnmf0alodypb8sdg Ready",
      "wzbsv11xrjxtn4xhcxezxeolp Down",
      "iqkynd6dn4l4mue8ty2vlf9sr Unknown",
      "  q1 Disconnected  ",
      "",
    ].join("\n");
    expect([...lostNodes(ls)].sort()).toEqual([
      "iqkynd6dn4l4mue8ty2vlf9sr",
      "q1",
      "wzbsv11xrjxtn4xhcxezxeolp",
    ]);
    expect(lostNodes("m1 Ready\nm2 Ready\n").size).toBe(0);
    expect(lostNodes("").size).toBe(0);
    expect(lostNodes("lonely-id").size).toBe(0);
  });

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
    // Whatever is missing on the way to an address, a task without one is passed over.
    const odd = [
      null,
      { Status: null },
      {
        Status: { State: "running" },
        NetworksAttachments: [
          null,
          { Network: null },
          { Network: { Spec: null } },
          { Network: { Spec: { Name: "net" } } },
        ],
      },
      { Status: { State: "running" }, NetworksAttachments: attached("net", "") },
    ];
    expect(runningTaskAddresses(JSON.stringify(odd), "net")).toEqual([]);
    expect(runningTaskAddresses("{}", "net")).toEqual([]);
  });

  test("countServers: responses per X-Served-By, in first-answer order, without the unnamed", () => {
    expect(
      countServers([{ servedBy: "b" }, { servedBy: "a" }, { servedBy: null }, { servedBy: "b" }]),
    ).toEqual({ b: 2, a: 1 });
    expect(Object.keys(countServers([{ servedBy: "b" }, { servedBy: "a" }]))).toEqual(["b", "a"]);
  });
});

describe("deadlineIn and retryUntil (fake clock)", () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  test("a deadline counts down to zero, never below, and is expired from its very end", () => {
    const deadline = deadlineIn(2);
    expect(deadline.seconds).toBe(2);
    expect(deadline.remaining()).toBe(2000);
    jest.advanceTimersByTime(1500);
    expect([deadline.remaining(), deadline.expired()]).toEqual([500, false]);
    jest.advanceTimersByTime(500);
    expect([deadline.remaining(), deadline.expired()]).toEqual([0, true]);
    jest.advanceTimersByTime(700);
    expect([deadline.remaining(), deadline.expired()]).toEqual([0, true]);
  });

  test("pauses of 200, 400 and 800 ms, then 1 s, and no last try in the deadline's last instant", async () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const started = Date.now();
    const tries: number[] = [];
    const outcome = retryUntil(
      deadlineIn(3),
      async () => {
        tries.push(Date.now() - started);
        return { retry: tries.length < 4 ? "not yet" : "still not" };
      },
      (last, attempts) => new Error(`gave up: ${last}, ${attempts} attempts`),
    );
    const gaveUp = expect(outcome).rejects.toThrow(new Error("gave up: still not, 5 attempts"));
    await jest.advanceTimersByTimeAsync(3000);
    await gaveUp;
    // 0 + 200, + 400, + 800, + 1000; the pause after 2400 ends at the deadline (3000): no 6th try.
    expect(tries).toEqual([0, 200, 600, 1400, 2400]);
    // Each reason is announced once, when it first comes.
    expect(stderr.mock.calls).toEqual([
      ["[check] not yet: not yet; retrying\n"],
      ["[check] not yet: still not; retrying\n"],
    ]);
  });

  test("an attempt that outlasts the deadline ends the wait at once, unannounced", async () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    let attempts = 0;
    const outcome = retryUntil(
      deadlineIn(1),
      async () => {
        attempts++;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return { retry: "slow" };
      },
      (last, n) => new Error(`${last} after ${n}`),
    );
    const gaveUp = expect(outcome).rejects.toThrow(new Error("slow after 1"));
    await jest.advanceTimersByTimeAsync(1500);
    await gaveUp;
    expect(attempts).toBe(1);
    expect(stderr).not.toHaveBeenCalled();
  });

  test("a value ends the wait with that value; a throw ends it with that error", async () => {
    const deadline = deadlineIn(5);
    await expect(
      retryUntil(
        deadline,
        async () => ({ value: 42 }),
        () => new Error("timeout"),
      ),
    ).resolves.toBe(42);
    const refusal = new Error("refused for good");
    await expect(
      retryUntil(
        deadline,
        async () => {
          throw refusal;
        },
        () => new Error("timeout"),
      ),
    ).rejects.toBe(refusal);
  });
});

describe("CheckFailure", () => {
  test("the facts as given, no details and no data when none are given", () => {
    const failure = new CheckFailure("it broke", { expected: "e", seen: "s" });
    expect(failure).toBeInstanceOf(Error);
    expect({ ...failure, name: failure.name, message: failure.message }).toEqual({
      name: "CheckFailure",
      message: "it broke",
      expected: "e",
      seen: "s",
      details: [],
      container: undefined,
      data: {},
    });
    const full = new CheckFailure("x", {
      expected: "e",
      seen: "s",
      details: ["d"],
      container: "c",
      data: { a: 1 },
    });
    expect([full.details, full.container, full.data]).toEqual([["d"], "c", { a: 1 }]);
  });
});

describe("docker call helpers", () => {
  test.each<[number, number]>([
    [60_000, 15_000], // never more than 15 s for one call
    [5_000, 5_000], // what is left of the deadline
    [500, 2_000], // never less than 2 s, even right before the deadline
    [0, 2_000],
  ])("a deadline %i ms away allows one call %i ms", (remaining, ms) => {
    expect(callTimeout({ seconds: 60, remaining: () => remaining, expired: () => remaining === 0 })).toBe(ms);
  });

  test.each<[{ code: number | null; stdout: string; stderr: string }, string]>([
    [{ code: 1, stdout: "out", stderr: "Error: No such container: x\n" }, "Error: No such container: x"],
    [{ code: 1, stdout: "said on\nstdout\n", stderr: "" }, "said on stdout"],
    [{ code: 3, stdout: "", stderr: "" }, "exit code 3"],
    [{ code: null, stdout: "", stderr: " \n" }, "exit code null"],
  ])("failureText(%j) = %j", (out, text) => {
    expect(failureText(out)).toBe(text);
  });

  test("outputLines: trimmed lines, empty ones left out", () => {
    expect(outputLines(" a \n\n\tb\r\n  \n")).toEqual(["a", "b"]);
  });

  test("shortId: the first 12 characters, without an image digest's sha256: prefix", () => {
    expect(shortId("0123456789abcdef0123")).toBe("0123456789ab");
    expect(shortId("sha256:fedcba9876543210")).toBe("fedcba987654");
  });
});

describe("get and describeAnswer (the checks' curl)", () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise((resolve) => {
            server.closeAllConnections();
            server.close(resolve);
          }),
      ),
    );
  });
  async function serve(handler: http.RequestListener): Promise<{ url: URL; connections: () => number }> {
    let connections = 0;
    const server = http.createServer(handler);
    server.on("connection", () => connections++);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
      connections: () => connections,
    };
  }

  test("status, whole body (sent in pieces) and X-Served-By; each GET on a new connection", async () => {
    const app = await serve((_req, res) => {
      res.writeHead(200, { "X-Served-By": "replica-1" });
      res.write("Total requests: ");
      setTimeout(() => res.end("7\n"), 20);
    });
    expect(await get(app.url, 2000)).toEqual({
      status: 200,
      body: "Total requests: 7\n",
      servedBy: "replica-1",
    });
    expect(await get(app.url, 2000)).toMatchObject({ status: 200 });
    expect(app.connections()).toBe(2);
  });

  test("no X-Served-By: servedBy null", async () => {
    const app = await serve((_req, res) => res.end("ok"));
    expect(await get(app.url, 2000)).toEqual({ status: 200, body: "ok", servedBy: null });
  });

  test("a body is kept to its first MiB or so", async () => {
    const app = await serve((_req, res) => res.end("x".repeat(3 * 1024 * 1024)));
    const { body } = await get(app.url, 5000);
    expect(body.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(body.length).toBeLessThan(2 * 1024 * 1024);
  });

  test("no answer in time, nothing listening, an answer cut off, TLS to a plain server: no status, and why", async () => {
    const silent = await serve(() => undefined);
    expect(await get(silent.url, 200)).toEqual({
      status: null,
      body: "",
      servedBy: null,
      error: "no answer within 200 ms",
    });

    const closed = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await get(closed.url, 2000)).toEqual({
      status: null,
      body: "",
      servedBy: null,
      error: `connect ECONNREFUSED 127.0.0.1:${closed.url.port}`,
    });

    const cut = await serve((_req, res) => {
      res.writeHead(200, { "Content-Length": "100" });
      res.write("partial");
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect(await get(cut.url, 2000)).toEqual({ status: null, body: "", servedBy: null, error: "aborted" });

    const plain = await serve((_req, res) => res.end("ok"));
    const tls = await get(new URL(`https://127.0.0.1:${plain.url.port}/`), 2000);
    expect(tls).toMatchObject({ status: null, body: "", servedBy: null });
    expect(tls.error).toMatch(/wrong version number|EPROTO/);
  });

  test.each<[Parameters<typeof describeAnswer>[0], string]>([
    [
      { status: 503, body: "redis is not connected\nmore\n", servedBy: null },
      'HTTP 503 "redis is not connected"',
    ],
    [{ status: 200, body: "", servedBy: null }, "HTTP 200"],
    [{ status: 500, body: `${"e".repeat(100)}\n`, servedBy: null }, `HTTP 500 "${"e".repeat(79)}…"`],
    [{ status: null, body: "", servedBy: null, error: "socket hang up" }, "socket hang up"],
  ])("describeAnswer(%j) = %j", (answer, text) => {
    expect(describeAnswer(answer)).toBe(text);
  });
});

describe("run.js as a module (npm run verify requires it)", () => {
  test("runs nothing by itself and offers parseSpec and runCheck", async () => {
    const stderr = jest.spyOn(process.stderr, "write");
    const stdout = jest.spyOn(process.stdout, "write");
    try {
      await jest.isolateModulesAsync(async () => {
        const run = await import("../../checks/run");
        expect(typeof run.parseSpec).toBe("function");
        expect(typeof run.runCheck).toBe("function");
      });
      expect(stderr).not.toHaveBeenCalled();
      expect(stdout).not.toHaveBeenCalled();
      expect(process.exitCode).toBeUndefined();
    } finally {
      jest.restoreAllMocks();
    }
  });
});
