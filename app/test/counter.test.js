// @ts-check
const { describe, expect, test } = require("@jest/globals");
const { recordVisit, renderBody } = require("../counter");

const HEADER = "This page was generated after talking to redis.\n\nApplication Build: 1\n\n";

/** @type {{ name: string, total: number, ips: Record<string, string>, body: string }[]} */
const CASES = [
  {
    name: "no IP yet",
    total: 0,
    ips: {},
    body: `${HEADER}Total requests: 0\n\nIP count: \n`,
  },
  {
    name: "one IPv4-mapped client, as Node reports a bridge-network peer",
    total: 1,
    ips: { "::ffff:172.17.0.1": "1" },
    body: `${HEADER}Total requests: 1\n\nIP count: \n    ::ffff:172.17.0.1: 1\n`,
  },
  {
    name: "several clients keep the hash's order",
    total: 7,
    ips: { "::ffff:172.17.0.4": "5", "::1": "1", "10.0.0.2": "1" },
    body:
      `${HEADER}Total requests: 7\n\nIP count: \n` +
      "    ::ffff:172.17.0.4: 5\n    ::1: 1\n    10.0.0.2: 1\n",
  },
  {
    name: "large counts are printed in full",
    total: 12345678901,
    ips: { "127.0.0.1": "12345678901" },
    body: `${HEADER}Total requests: 12345678901\n\nIP count: \n    127.0.0.1: 12345678901\n`,
  },
];

describe("renderBody", () => {
  test.each(CASES)("$name", ({ total, ips, body }) => {
    expect(renderBody(total, ips)).toBe(body);
  });
});

describe("recordVisit", () => {
  test("sends the original app's three commands on its keys (requests, ip) in one MULTI, and returns the totals", async () => {
    /** @type {unknown[][]} */
    const sent = [];
    /** @type {any} */
    const transaction = {
      incr: (/** @type {string} */ key) => (sent.push(["INCR", key]), transaction),
      hIncrBy: (/** @type {string} */ key, /** @type {string} */ field, /** @type {number} */ by) => (
        sent.push(["HINCRBY", key, field, by]),
        transaction
      ),
      hGetAll: (/** @type {string} */ key) => (sent.push(["HGETALL", key]), transaction),
      execTyped: async () => (sent.push(["EXEC"]), [3, 1, { "::1": "3" }]),
    };
    const client = /** @type {any} */ ({ multi: () => (sent.push(["MULTI"]), transaction) });
    expect(await recordVisit(client, "::1")).toEqual({ total: 3, ips: { "::1": "3" } });
    expect(sent).toEqual([
      ["MULTI"],
      ["INCR", "requests"],
      ["HINCRBY", "ip", "::1", 1],
      ["HGETALL", "ip"],
      ["EXEC"],
    ]);
  });
});
