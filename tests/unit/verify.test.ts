// scripts/verify.js: the table, its arguments, and checks run now from the specs a stack recorded
// (here against small HTTP servers on loopback standing in for the app; the container checks are
// covered with the real engine in tests/integration/drift.test.ts).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { checkNow, describePulumiFailure, formatReport, parseArgs } from "../../scripts/verify";

// A `verification` output as the stack records it; http is the failing check.
const VERIFICATION = {
  env: { check: "env", ok: true, expected: "7 vars", seen: "7 vars, all as expected", data: {} },
  hosts: { check: "hosts", ok: true, expected: "1 line", seen: "1 line", data: {} },
  ping: { check: "ping", ok: true, expected: "1 reply", seen: "1 of 1", data: {} },
  http: { check: "http", ok: false, expected: "totals up by 1", seen: "totals 2, 3, 5", data: {} },
  keys: { check: "keys", ok: true, expected: "ip and requests", seen: "ip, requests", data: {} },
  ok: false,
};

describe("formatReport", () => {
  test("an aligned plain-text table and the overall line; a failing check shows ok false", () => {
    expect(formatReport(VERIFICATION)).toBe(
      [
        "check  expected         seen                     ok",
        "-----  ---------------  -----------------------  -----",
        "env    7 vars           7 vars, all as expected  true",
        "hosts  1 line           1 line                   true",
        "ping   1 reply          1 of 1                   true",
        "http   totals up by 1   totals 2, 3, 5           false",
        "keys   ip and requests  ip, requests             true",
        "",
        "overall: FAILED (1 of 5 checks not ok: http)",
        "",
      ].join("\n"),
    );
  });

  test("all ok", () => {
    const allOk = { ...VERIFICATION, http: { ...VERIFICATION.http, ok: true }, ok: true };
    const report = formatReport(allOk);
    expect(report).toContain("\nhttp   totals up by 1   totals 2, 3, 5           true\n");
    expect(report.endsWith("\noverall: ok (5 of 5 checks passed)\n")).toBe(true);
  });

  test("a missing check, a missing field and a multi-line value", () => {
    const partial = {
      env: { ok: true, expected: "a\nb", seen: "" },
      hosts: VERIFICATION.hosts,
      ping: VERIFICATION.ping,
      http: VERIFICATION.http,
    };
    expect(formatReport(partial)).toBe(
      [
        "check  expected        seen            ok",
        "-----  --------------  --------------  -----",
        "env    a b             -               true",
        "hosts  1 line          1 line          true",
        "ping   1 reply         1 of 1          true",
        "http   totals up by 1  totals 2, 3, 5  false",
        "keys   (no result)     (no result)     false",
        "",
        "overall: FAILED (2 of 5 checks not ok: http, keys)",
        "",
      ].join("\n"),
    );
  });

  test("colour paints the ok column and the overall line without changing the alignment", () => {
    const coloured = formatReport(VERIFICATION, { color: true });
    expect(coloured).toContain("\u001b[32mtrue\u001b[0m");
    expect(coloured).toContain("\u001b[31mfalse\u001b[0m");
    const plain = ["\u001b[32m", "\u001b[31m", "\u001b[1m", "\u001b[0m"].reduce(
      (text, code) => text.replaceAll(code, ""),
      coloured,
    );
    expect(plain).toBe(formatReport(VERIFICATION));
  });
});

describe("verify CLI helpers", () => {
  const defaults = { stack: "dev", recorded: false, timeoutSeconds: 10, help: false };
  test.each<[string[], Partial<typeof defaults>]>([
    [[], {}],
    [["--stack", "prod"], { stack: "prod" }],
    [["--stack=prod"], { stack: "prod" }],
    [["-s", "x"], { stack: "x" }],
    [["--recorded"], { recorded: true }],
    [["--timeout", "30"], { timeoutSeconds: 30 }],
    [["--timeout=5", "--recorded"], { timeoutSeconds: 5, recorded: true }],
    [["--help"], { help: true }],
  ])("parseArgs %j", (args, expected) => {
    expect(parseArgs(args)).toEqual({ ...defaults, ...expected });
  });

  test.each([
    [["--stack"]],
    [["--stack="]],
    [["prod"]],
    [["--verbose"]],
    [["--timeout", "0"]],
    [["--timeout", "1.5"]],
  ])("parseArgs rejects %j", (args) => {
    expect(() => parseArgs(args)).toThrow(/usage: npm run verify/);
  });

  test.each<[string, string, string]>([
    [
      "dev",
      "error: no stack named 'dev' found\n",
      "the dev stack does not exist, so it is not up: run npm run up",
    ],
    [
      "dev",
      "error: current stack does not have output property 'verification'\n",
      "the dev stack is not up (it has no verification output): run npm run up",
    ],
    [
      "prod",
      "error: current stack does not have output property 'verification'\n",
      "the prod stack is not up (it has no verification output): run ./bin/pulumi up --stack prod",
    ],
    [
      "dev",
      "error: something\n  else\n",
      "could not read the verification output of the dev stack: error: something else",
    ],
    ["dev", "", "could not read the verification output of the dev stack"],
  ])("describePulumiFailure(%s, %j)", (stack, stderr, expected) => {
    expect(describePulumiFailure(stack, stderr)).toBe(expected);
  });
});

describe("checkNow: the recorded specs, run again now", () => {
  let server: http.Server;
  let url = "";
  let answer: (res: http.ServerResponse, n: number) => void = () => undefined;
  let count = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      answer(res, ++count);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const recorded = (timeoutSeconds: number) => ({
    http: { ok: true, spec: { check: "http", url, requests: 2, timeoutSeconds } },
  });

  test("a check that passed when recorded is run again and reports what it sees now", async () => {
    answer = (res, n) => res.end(`Total requests: ${n}\n`);
    const before = count;
    const { results, failures } = await checkNow(recorded(60), 10);
    expect(count).toBe(before + 3); // one readiness GET, then the two counted ones
    expect(results.http).toMatchObject({
      check: "http",
      ok: true,
      seen: expect.stringContaining("statuses 200, 200"),
    });
    // The other four have no spec here: each is a failure that says why.
    expect(Object.keys(results)).toEqual(["http"]);
    expect(failures).toEqual(
      ["env", "hosts", "ping", "keys"].map((check) =>
        expect.stringContaining(`check ${check}: the stack recorded no spec`),
      ),
    );
  });

  test("an app that stopped answering fails now, within the shorter bound verify allows", async () => {
    answer = (res) => {
      res.statusCode = 503;
      res.end("redis is not connected\n");
    };
    const { results, failures } = await checkNow(recorded(60), 1);
    expect(results.http).toMatchObject({ ok: false, seen: expect.stringContaining("HTTP 503") });
    expect(failures).toContainEqual(expect.stringContaining("check http failed: waited 1 s"));
  });

  test("a recorded spec the runner cannot read is a failed check that says which field", async () => {
    const { results, failures } = await checkNow({ env: { spec: { check: "env", timeoutSeconds: 5 } } }, 10);
    expect(results.env).toBeUndefined();
    expect(failures).toContainEqual(
      "check env: the recorded spec cannot be run (CHECK_SPEC.in must be an object (check env)): run npm run up",
    );
  });
});
