// @ts-check
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { describe, expect, jest: jestObject, test } = require("@jest/globals");
const { configFromEnv } = require("../server");

describe("configFromEnv", () => {
  test.each([
    {
      name: "defaults: port 3000, the link alias `redis` on 6379, no password",
      env: {},
      config: { port: 3000, redisHost: "redis", redisPort: 6379, password: undefined },
    },
    {
      name: "empty values count as unset",
      env: { PORT: "", REDIS_HOST: "", REDIS_PORT: "", REDIS_PASSWORD: "" },
      config: { port: 3000, redisHost: "redis", redisPort: 6379, password: undefined },
    },
    {
      name: "every setting overridden",
      env: { PORT: "8080", REDIS_HOST: "10.0.0.5", REDIS_PORT: "6380", REDIS_PASSWORD: "s3cret" },
      config: { port: 8080, redisHost: "10.0.0.5", redisPort: 6380, password: "s3cret" },
    },
    {
      name: "PORT=0 asks for a free port",
      env: { PORT: "0" },
      config: { port: 0, redisHost: "redis", redisPort: 6379, password: undefined },
    },
    {
      name: "REDIS_PORT as a link aliased `redis` sets it: the port is taken, the host is not",
      env: { REDIS_PORT: "tcp://172.17.0.2:6379" },
      config: { port: 3000, redisHost: "redis", redisPort: 6379, password: undefined },
    },
    {
      name: "the highest ports",
      env: { PORT: "65535", REDIS_PORT: "65535" },
      config: { port: 65535, redisHost: "redis", redisPort: 65535, password: undefined },
    },
    {
      name: "link form with an IPv6 address",
      env: { REDIS_PORT: "tcp://[fd00::2]:6390" },
      config: { port: 3000, redisHost: "redis", redisPort: 6390, password: undefined },
    },
  ])("$name", ({ env, config }) => {
    expect(configFromEnv(env)).toEqual(config);
  });

  test.each([
    { env: { PORT: "abc" }, message: 'PORT must be a port number between 0 and 65535, got "abc"' },
    { env: { PORT: "65536" }, message: 'PORT must be a port number between 0 and 65535, got "65536"' },
    { env: { PORT: "3000.5" }, message: 'PORT must be a port number between 0 and 65535, got "3000.5"' },
    { env: { PORT: "tcp://1.2.3.4:80" }, message: "PORT must be a port number between 0 and 65535" },
    {
      env: { REDIS_PORT: "0" },
      message: "REDIS_PORT must be a port number or tcp://<host>:<port> between 1",
    },
    {
      env: { REDIS_PORT: "-1" },
      message: 'REDIS_PORT must be a port number or tcp://<host>:<port> between 1 and 65535, got "-1"',
    },
    { env: { REDIS_PORT: "udp://1.2.3.4:6379" }, message: "REDIS_PORT must be" },
    {
      env: { REDIS_PORT: "6379/tcp" },
      message: 'REDIS_PORT must be a port number or tcp://<host>:<port> between 1 and 65535, got "6379/tcp"',
    },
  ])("rejects $env naming the key", ({ env, message }) => {
    expect(() => configFromEnv(env)).toThrow(message);
  });

  test("a bad setting's message never shows the password", () => {
    expect(() => configFromEnv({ REDIS_PASSWORD: "s3cret", REDIS_PORT: "x" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("s3cret") }),
    );
  });
});

describe("the password from a file (REDIS_PASSWORD_FILE)", () => {
  /** @param {string} content */
  function secretFile(content) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-secret-"));
    const file = path.join(dir, "redis-password");
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  test.each([
    { content: "s3cret-from-a-file\n", password: "s3cret-from-a-file" },
    { content: "no-newline", password: "no-newline" },
    { content: "crlf\r\n", password: "crlf" },
    { content: "", password: undefined },
    { content: "two\nlines\n", password: "two\nlines" }, // only the one trailing newline goes
  ])("$content → $password", ({ content, password }) => {
    expect(configFromEnv({ REDIS_PASSWORD_FILE: secretFile(content) }).password).toBe(password);
  });

  test("a file that cannot be read is named, with the reason as the cause", () => {
    expect(() => configFromEnv({ REDIS_PASSWORD_FILE: "/nonexistent/redis-password" })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /^REDIS_PASSWORD_FILE: cannot read \/nonexistent\/redis-password: .*ENOENT/,
        ),
        cause: expect.objectContaining({ code: "ENOENT" }),
      }),
    );
  });

  test("the file and the variable together are refused", () => {
    expect(() => configFromEnv({ REDIS_PASSWORD_FILE: secretFile("a"), REDIS_PASSWORD: "b" })).toThrow(
      "set REDIS_PASSWORD_FILE or REDIS_PASSWORD, not both",
    );
  });
});

describe("the app's files as modules", () => {
  // The image runs `node server.js` and `node healthcheck.js`; tests require them. Required, they
  // start nothing: no server, no Redis client, no output, no exit.
  test.each([
    [
      "../server",
      [
        "CONNECTIONS_CHECK_MS",
        "FORCE_EXIT_MS",
        "HEADERS_TIMEOUT_MS",
        "HEALTH_PATH",
        "REDIS_DEADLINE_MS",
        "REQUEST_TIMEOUT_MS",
        "SHUTDOWN_GRACE_MS",
        "configFromEnv",
        "createApp",
        "renderBody",
      ],
    ],
    ["../healthcheck", ["HEALTHCHECK_TIMEOUT_MS", "checkHealth"]],
    ["../counter", ["KEYS", "recordVisit", "renderBody"]],
  ])("%s offers %j and starts nothing", (file, names) => {
    const write = jestObject.spyOn(process.stdout, "write");
    const exit = jestObject.spyOn(process, "exit").mockImplementation(() => {
      throw new Error("process.exit called");
    });
    try {
      jestObject.isolateModules(() => {
        expect(Object.keys(require(file)).sort()).toEqual(names);
      });
      expect(write).not.toHaveBeenCalled();
      expect(exit).not.toHaveBeenCalled();
    } finally {
      jestObject.restoreAllMocks();
    }
  });

  test("the values the app is documented with", () => {
    jestObject.isolateModules(() => {
      const server = require("../server");
      expect(server.HEALTH_PATH).toBe("/healthz");
      // The keys the original app wrote, which the tutorial lists with redis-cli.
      expect(require("../counter").KEYS).toEqual({ requests: "requests", ipCounts: "ip" });
    });
  });
});
