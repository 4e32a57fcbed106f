// The `verification` output put together from the five checks' results: `checkedAt` is when the
// last of them looked, `ok` whether every one passed; and what the http check is asked for on a
// swarm (at least one request per replica, at least two replicas answering). The checks' results
// here are written by hand, each with its own time, so that which one the output takes shows.
import * as pulumi from "@pulumi/pulumi";
import { Verification, VerificationArgs } from "../../components/Verification";
import type { CheckSpec } from "../../checks/types";
import { COMMAND, plain, PROJECT, recordingMocks, Registration, resolved } from "./mocks";

/**
 * When each check looked: ping first, hosts last. KEYS * waits for the http check only, so hosts,
 * though made before it, may look after it.
 */
const CHECKED_AT: Record<string, string> = {
  ping: "2026-12-01T12:00:01.000Z",
  env: "2026-12-01T12:00:02.000Z",
  http: "2026-12-01T12:00:03.000Z",
  keys: "2026-12-01T12:00:04.000Z",
  hosts: "2026-12-01T12:00:05.000Z",
};

const out = <T>(value: T) => pulumi.output(value);
const args = (replicas?: number): VerificationArgs => ({
  alias: "redis",
  dataStore: {
    linkSource: out({ name: "redis-server", id: "r1", ip: "10.0.0.10", exposedPorts: [], env: [] }),
    address: out({ ip: "10.0.0.10" }),
    checked: out({ container: "redis-server", id: "r1" }),
    revision: out("r1"),
  },
  app: {
    checked: out(replicas === undefined ? { container: "web", id: "a1" } : { service: "web", id: "s1" }),
    reachesRedis: { mode: "network", via: "network DNS" },
    replicas,
    url: "http://localhost:3107/",
    revision: out("a1"),
  },
  probe: { ref: out({ container: "probe", id: "p1" }), revision: out("p1") },
  cli: { ref: out({ container: "cli", id: "c1" }), revision: out("c1") },
  requests: 2,
  timeoutSeconds: 9,
});

const registrations: Registration[] = [];
/** The checks that do not pass in the next build. */
let failing: string[] = [];
/** The address ping saw in the next build (null: it saw none, as when no answer came back). */
let pingSaw: string | null = "10.0.0.10";
const stdout = (_name: string, inputs: Record<string, unknown>) => {
  const spec = JSON.parse((plain(inputs.environment) as { CHECK_SPEC: string }).CHECK_SPEC) as CheckSpec;
  return JSON.stringify({
    check: spec.check,
    ok: !failing.includes(spec.check),
    expected: "e",
    seen: "s",
    data: spec.check === "ping" ? { address: pingSaw } : {},
    checkedAt: CHECKED_AT[spec.check],
    spec,
  });
};
beforeAll(() => pulumi.runtime.setMocks(recordingMocks(registrations, stdout), PROJECT, "unit", false));

let built = 0;
async function build(notPassing: string[] = [], replicas?: number, pingAddress: string | null = "10.0.0.10") {
  failing = notPassing;
  pingSaw = pingAddress;
  registrations.length = 0;
  const name = `v${++built}`;
  const v = new Verification(name, args(replicas));
  const results = await resolved(pulumi, v.results);
  const specOf = (check: string) =>
    JSON.parse(
      (
        plain(
          registrations.find((r) => r.type === COMMAND && r.name === `${name}-${check}`)?.inputs.environment,
        ) as {
          CHECK_SPEC: string;
        }
      ).CHECK_SPEC,
    );
  return { results, specOf, redisAddress: await resolved(pulumi, v.redisAddress) };
}

test("checkedAt is when the last check looked; ok when all five passed", async () => {
  const { results } = await build();
  expect(results.checkedAt).toBe("2026-12-01T12:00:05.000Z");
  expect(results.ok).toBe(true);
});

test("Redis's address is the one ping saw, or empty when it saw none", async () => {
  expect((await build()).redisAddress).toBe("10.0.0.10");
  expect((await build([], undefined, null)).redisAddress).toBe("");
});

test.each(["ping", "keys"])("one check that did not pass (%s) makes ok false", async (check) => {
  const { results } = await build([check]);
  expect(results.ok).toBe(false);
  expect(results[check as "ping" | "keys"].ok).toBe(false);
});

test("plain containers: the http check sends the requests asked for, counts no replicas, names the container", async () => {
  const { specOf } = await build();
  expect(specOf("http").requests).toBe(2);
  expect(specOf("http")).not.toHaveProperty("minServers");
  // Named in a failure as the container it is (a service would be `service`).
  expect(specOf("http").app).toEqual({ container: "web", id: "a1" });
  expect(specOf("http")).not.toHaveProperty("service");
});

test.each([
  [3, 3, 2],
  [1, 2, 1],
])("a swarm of %i replicas: %i requests, at least %i replicas answering", async (replicas, requests, min) => {
  const { specOf } = await build([], replicas);
  expect(specOf("http").requests).toBe(requests);
  expect(specOf("http").minServers).toBe(min);
  // Named in a failure as the service it is (a container would be `app`).
  expect(specOf("http").service).toEqual({ service: "web", id: "s1" });
  expect(specOf("http")).not.toHaveProperty("app");
});

test("with no password file, the keys check logs in with none", async () => {
  const { specOf } = await build();
  expect(specOf("keys")).not.toHaveProperty("passwordFile");
});

test("KEYS * looks for the two keys the app writes on every request (app/counter.js)", async () => {
  const { specOf } = await build();
  // INCR requests, HINCRBY ip <address> 1.
  expect(specOf("keys").keys).toEqual(["ip", "requests"]);
});
