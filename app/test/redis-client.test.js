// @ts-check
const { describe, expect, test } = require("@jest/globals");
const { describeError, reconnectDelay } = require("../redis-client");

describe("reconnectDelay", () => {
  test.each([
    [0, 100],
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1000],
    [10, 1000],
    [5000, 1000], // 2 ** 5000 is Infinity; still capped
  ])("attempt %i waits %i ms", (retries, ms) => {
    expect(reconnectDelay(retries)).toBe(ms);
  });
});

describe("describeError", () => {
  test.each([
    { err: new Error("connect ECONNREFUSED 127.0.0.1:6379"), reason: "connect ECONNREFUSED 127.0.0.1:6379" },
    { err: Object.assign(new AggregateError([], ""), { code: "ECONNREFUSED" }), reason: "ECONNREFUSED" },
    { err: new TypeError(""), reason: "TypeError" },
    { err: "plain string", reason: "plain string" },
  ])("$reason", ({ err, reason }) => {
    expect(describeError(err)).toBe(reason);
  });
});
