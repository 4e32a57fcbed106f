// The stack's subnet against the networks the engine already has (lib/config/engine.ts), as the
// program checks it before it makes anything: from what `docker network inspect` prints, asked of
// a stand-in `docker` first on PATH that answers from a script and records every call.
import childProcess from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { checkAgainstEngine, engineProblems } from "../../lib/config";
import { engineNetworks } from "../../lib/config/engine";

const ENGINE =
  "bridge 172.17.0.0/16\nhost \nnone \nit-other 172.31.245.0/24\ncontainer-links 172.31.240.0/24\n";
const check = (subnet: string, listing = ENGINE) =>
  engineProblems({ networkName: "container-links", networkSubnet: subnet }, listing, "container-links")
    ?.message;

test("a free subnet passes", () => {
  expect(check("172.31.241.0/24")).toBeUndefined();
});

test("the stack's own network, already there on a later up, is no conflict", () => {
  expect(check("172.31.240.0/24")).toBeUndefined();
});

test.each([
  ["inside the default bridge", "172.17.5.0/24", "bridge (172.17.0.0/16)"],
  ["another stack's network", "172.31.245.0/25", "it-other (172.31.245.0/24)"],
  ["around both", "172.16.0.0/12", "bridge (172.17.0.0/16), it-other (172.31.245.0/24)"],
])("a subnet %s fails, naming the key and the network", (_what, subnet, taken) => {
  expect(check(subnet)).toContain(
    `container-links:networkSubnet: "${subnet}" overlaps the engine's network ${taken}; pick a free subnet`,
  );
});

test("networks without an IPv4 subnet (host, none, IPv6-only) are passed over", () => {
  expect(check("10.0.0.0/24", "host \nnone \nv6 fd00::/64\n")).toBeUndefined();
});

test("blank lines and whitespace around and between the fields are no network and no part of a name", () => {
  expect(check("172.17.5.0/24", "\n  \n\t bridge \t 172.17.0.0/16  \n")).toContain(
    "overlaps the engine's network bridge (172.17.0.0/16);",
  );
});

describe("against the engine (a stand-in docker CLI)", () => {
  // Answers `docker network ls --quiet` and `docker network inspect --format <template> <ids>`;
  // anything else fails as the real CLI fails on an unknown command.
  const FAKE_DOCKER = `#!/usr/bin/env node
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_DOCKER_CALLS, JSON.stringify(args) + "\\n");
if (process.env.FAKE_DOCKER_DOWN) {
  process.stderr.write("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\\n");
  process.exit(1);
}
if (args.join(" ") === "network ls --quiet") process.stdout.write("0f1e2d3c4b5a\\n9a8b7c6d5e4f\\n");
else if (args[0] === "network" && args[1] === "inspect") process.stdout.write(process.env.FAKE_DOCKER_LISTING);
else process.exit(125);
`;
  const TEMPLATE = "{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}";
  const LISTING = "bridge 172.17.0.0/16 \ncontainer-links 172.31.240.0/24 \n";
  let dir: string;
  let calls: string;
  /** The stand-in's settings, for the docker CLI the code under test starts. */
  let fakeEnv: Record<string, string>;

  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs },
      "container-links",
      "dev",
      true,
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-check-"));
    fs.writeFileSync(path.join(dir, "docker"), FAKE_DOCKER, { mode: 0o755 });
  });
  beforeEach(() => {
    calls = path.join(dir, `calls-${expect.getState().currentTestName?.length}-${Date.now()}.jsonl`);
    fs.writeFileSync(calls, "");
    fakeEnv = { FAKE_DOCKER_CALLS: calls, FAKE_DOCKER_LISTING: LISTING };
    // The CLI starts with the real process environment, which a test cannot change: the call goes
    // through as made, with the stand-in first on PATH.
    const execFileSync = childProcess.execFileSync;
    jest.spyOn(childProcess, "execFileSync").mockImplementation(((
      file: string,
      args: readonly string[],
      options: childProcess.ExecFileSyncOptions,
    ) =>
      execFileSync(file, args, {
        ...options,
        env: { ...process.env, ...fakeEnv, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ""}` },
      })) as typeof childProcess.execFileSync);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const callsMade = () =>
    fs
      .readFileSync(calls, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]);

  test("lists every network's name and subnets: `network ls`, then one `network inspect` of them all", () => {
    expect(engineNetworks()).toBe(LISTING);
    expect(callsMade()).toEqual([
      ["network", "ls", "--quiet"],
      ["network", "inspect", "--format", TEMPLATE, "0f1e2d3c4b5a", "9a8b7c6d5e4f"],
    ]);
  });

  test("a subnet the engine has under another name stops the program, naming the key", () => {
    let thrown: unknown;
    try {
      checkAgainstEngine({ networkName: "renamed", networkSubnet: "172.31.240.0/24" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(pulumi.RunError);
    expect((thrown as Error).message).toContain(
      'container-links:networkSubnet: "172.31.240.0/24" overlaps the engine\'s network container-links (172.31.240.0/24); pick a free subnet',
    );
    expect((thrown as Error).cause).toBeInstanceOf(AggregateError);
  });

  test("a free subnet goes ahead", () => {
    expect(
      checkAgainstEngine({ networkName: "container-links", networkSubnet: "172.31.241.0/24" }),
    ).toBeUndefined();
    expect(callsMade()).toHaveLength(2);
  });

  test("an engine that cannot be asked: a warning with what the CLI said, and the program goes on", () => {
    fakeEnv.FAKE_DOCKER_DOWN = "1";
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    expect(
      checkAgainstEngine({ networkName: "container-links", networkSubnet: "172.17.5.0/24" }),
    ).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /^could not list the Docker engine's networks to check networkSubnet: /,
    );
    expect(warn.mock.calls[0][0]).toContain("Cannot connect to the Docker daemon");
  });

  test.each<[string, unknown, string]>([
    ["an Error", new Error("no engine here"), "no engine here"],
    ["anything else", "plain words", "plain words"],
  ])("what failed is shown in the warning: %s, by its message or as it is", (_what, failure, shown) => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const networks = () => {
      throw failure;
    };
    checkAgainstEngine({ networkName: "container-links", networkSubnet: "172.17.5.0/24" }, networks);
    expect(warn.mock.calls).toEqual([
      [`could not list the Docker engine's networks to check networkSubnet: ${shown}`],
    ]);
  });
});
