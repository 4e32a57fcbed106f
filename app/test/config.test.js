// @ts-check
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { describe, expect, test } = require("@jest/globals");
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
  ])("$content → $password", ({ content, password }) => {
    expect(configFromEnv({ REDIS_PASSWORD_FILE: secretFile(content) }).password).toBe(password);
  });

  test("a file that cannot be read is named, and its content never shown", () => {
    expect(() => configFromEnv({ REDIS_PASSWORD_FILE: "/nonexistent/redis-password" })).toThrow(
      "REDIS_PASSWORD_FILE: cannot read /nonexistent/redis-password",
    );
  });

  test("the file and the variable together are refused", () => {
    expect(() => configFromEnv({ REDIS_PASSWORD_FILE: secretFile("a"), REDIS_PASSWORD: "b" })).toThrow(
      "set REDIS_PASSWORD_FILE or REDIS_PASSWORD, not both",
    );
  });
});
