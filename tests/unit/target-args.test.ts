// Each target's components take only their own args: a swarm-only arg given to the container
// target's app or data store is a compile error, and so is a container-only arg on a swarm. The
// snippets are compiled with the TypeScript compiler and the project's tsconfig; the expected
// diagnostics are TypeScript's own wording for an unknown property in an object literal (TS2353).
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");
const SNIPPET = path.join(ROOT, "tests", "unit", "__target-args-snippet__.ts");

const PRELUDE = `
import { CounterApp } from "./../../components/CounterApp";
import { RedisServer } from "./../../components/RedisServer";
import { SwarmApp } from "./../../components/swarm/SwarmApp";
import { SwarmRedis } from "./../../components/swarm/SwarmRedis";
import type { LinkArgs } from "./../../components/LinkedContainer";
declare const link: LinkArgs;
const app = { name: "counter-app", image: "img", port: 3000, host: "localhost", link, password: "p" };
const redis = {
  name: "redis-server",
  image: "redis:8.6",
  network: { name: "container-links", subnet: "172.31.240.0/24" },
  volume: { name: "redis-server-data", retain: true },
  alias: "redis",
  password: "p",
};
const swarm = { replicas: 3, publish: "ingress" as const, gatewayImage: "node", readyTimeoutSeconds: 60 };
`;

/** Compiles PRELUDE + body as one file of the project; returns each error as `TS<code>: <text>`. */
function compile(body: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error("tsconfig.json did not parse");
  const source = PRELUDE + body;
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => (path.resolve(file) === SNIPPET ? source : readFile(file));
  host.fileExists = (file) => path.resolve(file) === SNIPPET || fileExists(file);
  const program = ts.createProgram([SNIPPET], { ...parsed.options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(SNIPPET))
    .map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
}

/** What each target does take. */
const ACCEPTED = `
new CounterApp("a", app);
new RedisServer("c", { ...redis, linkMode: "legacy" });
new SwarmApp("e", { ...app, ...swarm });
new SwarmRedis("d", { ...redis, readyTimeoutSeconds: 60 });
`;

// One compile of every case keeps the test to one more program build (several seconds each).
const CASES = {
  containerAppGetsReplicas: `new CounterApp("a", { ...app, replicas: 3 });`,
  containerAppGetsPublish: `new CounterApp("b", { ...app, publish: "gateway" });`,
  containerRedisGetsTimeout: `new RedisServer("c", { ...redis, linkMode: "legacy", readyTimeoutSeconds: 60 });`,
  swarmRedisGetsLinkMode: `new SwarmRedis("d", { ...redis, readyTimeoutSeconds: 60, linkMode: "legacy" });`,
};

describe("each target takes only its own args", () => {
  let errors: string[];
  beforeAll(() => {
    errors = compile([ACCEPTED, ...Object.values(CASES)].join("\n"));
  }, 120_000);

  test("what each target does take compiles", () => {
    expect(compile(ACCEPTED)).toEqual([]);
  }, 120_000);

  test.each([
    // CounterAppArgs is AppBaseArgs: what the app takes on either target, nothing more.
    ["replicas", "AppBaseArgs"],
    ["publish", "AppBaseArgs"],
    ["readyTimeoutSeconds", "RedisServerArgs"],
    ["linkMode", "SwarmRedisArgs"],
  ])("%s given to %s is a compile error", (key, type) => {
    expect(errors).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^TS2353: Object literal may only specify known properties, and '${key}' does not exist in type '${type}'`,
        ),
      ),
    );
  });

  test("nothing else fails to compile", () => {
    expect(errors).toHaveLength(Object.keys(CASES).length);
  });
});
