// What the stack makes with the docker CLI (its network, the app image) is made on an update and
// never by a preview. The ensure scripts run here for real against a stand-in `docker` on PATH that
// records its calls and keeps what it "made" in files; the wiring (which CREATE the look and the
// owner get in a preview and in an update) is read under Pulumi's mocks.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";
import { ENSURE_APP_IMAGE, REMOVE_APP_IMAGE } from "../../components/AppImage";
import { ENSURE_NETWORK, REMOVE_NETWORK } from "../../components/StackNetwork";
import { engineObject } from "../../components/engineObject";
import { BUILT_IMAGE_ID, COMMAND, PROJECT, recordingMocks, Registration, resolved, RUN } from "./mocks";

// A stand-in for the docker CLI: `image inspect` / `network inspect` answer only for what exists
// (a file named after it), `build` and `network create` make it, `image rm` and `network rm` remove
// it; every call is logged, with the builder it was asked for. BUILDX set: the CLI has buildx. An
// `rm` fails while RM_FAILS_TIMES (default: always) has not run out, with RM_FAILS as the daemon's
// message. `sleep` is a stand-in too: it only logs, so a retry costs no time.
const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$STATE/calls"
rm_fails() {
  [ -n "$RM_FAILS" ] || return 1
  n=$(cat "$STATE/rm-failures" 2>/dev/null || echo 0)
  [ -z "$RM_FAILS_TIMES" ] || [ "$n" -lt "$RM_FAILS_TIMES" ] || return 1
  echo $((n + 1)) > "$STATE/rm-failures"
  echo "Error response from daemon: $RM_FAILS" >&2
}
case "$1 $2" in
  "image inspect") [ -f "$STATE/image" ] || exit 1; echo sha256:built ;;
  "network inspect") [ -f "$STATE/network" ] || exit 1; echo net-id ;;
  "network create") touch "$STATE/network"; echo net-id ;;
  "buildx version") [ -n "$BUILDX" ] || exit 1 ;;
  "buildx build") touch "$STATE/image" ;;
  "build --quiet") echo "(DOCKER_BUILDKIT=$DOCKER_BUILDKIT)" >> "$STATE/calls"; touch "$STATE/image" ;;
  "image rm")
    rm_fails && exit 1
    [ -f "$STATE/image" ] || { echo "Error: No such image: $3" >&2; exit 1; }
    rm "$STATE/image" ;;
  "network rm")
    rm_fails && exit 1
    [ -f "$STATE/network" ] || { echo "Error: No such network: $3" >&2; exit 1; }
    rm "$STATE/network" ;;
  "container prune") ;;
  *) echo "unexpected: docker $*" >&2; exit 2 ;;
esac
`;
const FAKE_SLEEP = `#!/bin/sh
echo "sleep $*" >> "$STATE/calls"
`;

let bin: string;
let state: string;

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), "engine-object-bin-"));
  state = fs.mkdtempSync(path.join(os.tmpdir(), "engine-object-state-"));
  fs.writeFileSync(path.join(bin, "docker"), FAKE_DOCKER, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "sleep"), FAKE_SLEEP, { mode: 0o755 });
});
afterEach(() => {
  fs.rmSync(bin, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

/** Runs a script as the command provider does (bash -c), with the stand-in docker first on PATH. */
function run(script: string, env: Record<string, string>): { stdout: string; calls: string[] } {
  const stdout = execFileSync("bash", ["-c", script], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STATE: state, ...env },
  });
  const log = path.join(state, "calls");
  return {
    stdout: stdout.trim(),
    calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [],
  };
}

/** As run(), for a script that may fail: its exit status and stderr too. */
function runToEnd(
  script: string,
  env: Record<string, string>,
): { status: number | null; stderr: string; calls: string[] } {
  const result = spawnSync("bash", ["-c", script], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STATE: state, ...env },
  });
  const log = path.join(state, "calls");
  return {
    status: result.status,
    stderr: result.stderr.trim(),
    calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [],
  };
}

const IMAGE_ENV = { TAG: "container-links/app:abc", NODE_IMAGE: "node:x", CONTEXT: "/ctx", SERVICE: "svc" };
const NETWORK_ENV = {
  NAME: "net",
  DRIVER: "bridge",
  ATTACHABLE: "false",
  SUBNET: "10.1.2.0/24",
  GATEWAY: "10.1.2.1",
};

describe.each([
  ["the app image", ENSURE_APP_IMAGE, IMAGE_ENV, "sha256:built", /^build /],
  ["the network", ENSURE_NETWORK, NETWORK_ENV, "net-id", /^network create /],
])("%s's ensure script", (_what, script, env, id, makes) => {
  test("missing, without CREATE (a preview): prints nothing and makes nothing", () => {
    const { stdout, calls } = run(script, { ...env, CREATE: "" });
    expect(stdout).toBe("");
    expect(calls.filter((c) => makes.test(c))).toEqual([]);
  });

  test("missing, with CREATE (an update): makes it once and prints its ID", () => {
    const { stdout, calls } = run(script, { ...env, CREATE: "yes" });
    expect(stdout).toBe(id);
    expect(calls.filter((c) => makes.test(c))).toHaveLength(1);
  });

  test("there already: prints its ID and makes nothing, with or without CREATE", () => {
    run(script, { ...env, CREATE: "yes" });
    fs.rmSync(path.join(state, "calls"));
    for (const create of ["", "yes"]) {
      expect(run(script, { ...env, CREATE: create }).stdout).toBe(id);
    }
    expect(run(script, { ...env, CREATE: "" }).calls.filter((c) => makes.test(c))).toEqual([]);
  });
});

describe("engineObject's wiring", () => {
  const registrations: Registration[] = [];
  const build = async (preview: boolean) => {
    registrations.length = 0;
    await pulumi.runtime.setMocks(
      recordingMocks(registrations, () => "owned-id"),
      PROJECT,
      "unit",
      preview,
    );
    const id = engineObject(
      "thing",
      { ensure: "ENSURE", remove: "REMOVE", environment: { NAME: "n" }, identity: ["n", "10.0.0.0/24"] },
      {},
    );
    await resolved(pulumi, id);
    const look = registrations.find((r) => r.type === RUN);
    const owner = registrations.find((r) => r.type === COMMAND && r.name === "thing");
    return { id: await resolved(pulumi, id), look: look?.inputs, owner: owner?.inputs };
  };

  test("a preview only looks: the look runs without CREATE", async () => {
    const { look } = await build(true);
    expect(look).toMatchObject({ command: "ENSURE", environment: { NAME: "n", CREATE: "" } });
  });

  test("an update makes what is missing: the look and the owner run with CREATE", async () => {
    const { id, look, owner } = await build(false);
    expect(look).toMatchObject({ command: "ENSURE", environment: { NAME: "n", CREATE: "yes" } });
    expect(owner).toMatchObject({
      create: "ENSURE",
      delete: "REMOVE",
      environment: { NAME: "n", CREATE: "yes" },
    });
    // Their stdout is the object's ID (the owner's output); only what they say on stderr is logged.
    expect(look?.logging).toBe("stderr");
    expect(owner?.logging).toBe("stderr");
    // What the look found (the mocked invoke prints BUILT_IMAGE_ID) is a trigger: an object made
    // again (a new ID) replaces its owner.
    expect(owner?.triggers).toEqual(["n", "10.0.0.0/24", BUILT_IMAGE_ID]);
    // The ID is the owner's, not the look's.
    expect(id).toBe("owned-id");
  });

  test("the look runs on the owner's command provider: one given to the component reaches both", async () => {
    const base = recordingMocks([], () => "owned-id");
    const providers: { what: string; provider?: string }[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args: MockResourceArgs) => {
          providers.push({ what: `${args.type} ${args.name}`, provider: args.provider });
          return base.newResource(args);
        },
        call: (args: MockCallArgs) => {
          providers.push({ what: args.token, provider: args.provider });
          return base.call(args);
        },
      },
      PROJECT,
      "unit",
      false,
    );
    const provider = new command.Provider("remote-engine");
    const component = new pulumi.ComponentResource(
      "test:index:Owner",
      "owner",
      {},
      { providers: [provider] },
    );
    await resolved(
      pulumi,
      engineObject(
        "thing",
        { ensure: "E", remove: "R", environment: {}, identity: [] },
        { parent: component },
      ),
    );
    // A provider reference is the provider's URN and ID.
    const reference = expect.stringMatching(/::pulumi:providers:command::remote-engine::/);
    expect(providers.filter((p) => p.what === RUN || p.what === `${COMMAND} thing`)).toEqual([
      { what: RUN, provider: reference },
      { what: `${COMMAND} thing`, provider: reference },
    ]);
  });
});

describe.each([
  ["the app image", ENSURE_APP_IMAGE, REMOVE_APP_IMAGE, IMAGE_ENV, "sha256:built", "image", /^image rm /],
  ["the network", ENSURE_NETWORK, REMOVE_NETWORK, NETWORK_ENV, "net-id", "network", /^network rm /],
])("%s's remove script", (_what, ensure, remove, env, id, file, removes) => {
  const made = () => run(ensure, { ...env, CREATE: "yes" });
  const exists = () => fs.existsSync(path.join(state, file));

  test("removes what this owner made (the ID it printed)", () => {
    made();
    const { calls } = run(remove, { ...env, PULUMI_COMMAND_STDOUT: id });
    expect(calls.filter((c) => removes.test(c))).toHaveLength(1);
    expect(exists()).toBe(false);
  });

  test("leaves one that has been made again since: another owner has the name", () => {
    made();
    const { calls } = run(remove, { ...env, PULUMI_COMMAND_STDOUT: "sha256:an-earlier-one" });
    expect(calls.filter((c) => removes.test(c))).toEqual([]);
    expect(exists()).toBe(true);
  });

  test("one that is gone already is no failure", () => {
    const { calls } = run(remove, { ...env, PULUMI_COMMAND_STDOUT: id });
    expect(calls.filter((c) => removes.test(c))).toEqual([]);
  });
});

test("a network the engine refuses to remove fails the delete, saying why", () => {
  run(ENSURE_NETWORK, { ...NETWORK_ENV, CREATE: "yes" });
  let failure: (Error & { status?: number; stderr?: string }) | undefined;
  try {
    run(REMOVE_NETWORK, { ...NETWORK_ENV, PULUMI_COMMAND_STDOUT: "net-id", RM_FAILS: "permission denied" });
  } catch (err) {
    failure = err as Error & { status?: number; stderr?: string };
  }
  expect(failure?.status).toBe(1);
  expect(String(failure?.stderr)).toContain(
    "could not remove network net: Error response from daemon: permission denied",
  );
});

describe("how the app image is built", () => {
  // `docker build` takes the base image as a build argument (app/Dockerfile's `ARG NODE_IMAGE`),
  // the tag with --tag and app/ as the context.
  const ARGS = "--quiet --build-arg NODE_IMAGE=node:x --tag container-links/app:abc /ctx";

  test("with buildx: BuildKit, the result loaded into the engine's images", () => {
    const { stdout, calls } = run(ENSURE_APP_IMAGE, { ...IMAGE_ENV, CREATE: "yes", BUILDX: "1" });
    expect(calls.filter((c) => / build /.test(` ${c} `))).toEqual([`buildx build --load ${ARGS}`]);
    expect(stdout).toBe("sha256:built");
  });

  test("without buildx (a 20.10 CLI): the classic builder, asked for by name as newer engines default to BuildKit", () => {
    const { stdout, calls } = run(ENSURE_APP_IMAGE, { ...IMAGE_ENV, CREATE: "yes" });
    expect(calls.filter((c) => / build |DOCKER_BUILDKIT/.test(` ${c} `))).toEqual([
      `build ${ARGS}`,
      "(DOCKER_BUILDKIT=0)",
    ]);
    expect(stdout).toBe("sha256:built");
  });

  test("a build that fails fails the script, printing no ID", () => {
    fs.writeFileSync(
      path.join(bin, "docker"),
      FAKE_DOCKER.replace('"build --quiet")', '"build --quiet") exit 1;'),
      {
        mode: 0o755,
      },
    );
    const { status, calls } = runToEnd(ENSURE_APP_IMAGE, { ...IMAGE_ENV, CREATE: "yes" });
    expect(status).toBe(1);
    expect(calls.filter((c) => c.startsWith("image inspect"))).toHaveLength(1);
  });
});

test("the network is made with the driver, attachability, subnet and gateway asked for", () => {
  const { calls } = run(ENSURE_NETWORK, { ...NETWORK_ENV, CREATE: "yes" });
  expect(calls.filter((c) => c.startsWith("network create"))).toEqual([
    "network create --driver bridge --attachable=false --subnet 10.1.2.0/24 --gateway 10.1.2.1 net",
  ]);
});

describe("removing the app image", () => {
  const remove = (env: Record<string, string> = {}) => {
    run(ENSURE_APP_IMAGE, { ...IMAGE_ENV, CREATE: "yes" });
    fs.rmSync(path.join(state, "calls"));
    return runToEnd(REMOVE_APP_IMAGE, { ...IMAGE_ENV, PULUMI_COMMAND_STDOUT: "sha256:built", ...env });
  };
  const exists = () => fs.existsSync(path.join(state, "image"));
  const CONFLICT =
    "conflict: unable to remove repository reference (must force) - container abc is using its referenced image";

  test("first the swarm's stopped tasks of this service, which still use the image", () => {
    const { status, calls } = remove();
    expect(status).toBe(0);
    expect(calls.slice(1)).toEqual([
      "container prune --force --filter label=com.docker.swarm.service.name=svc",
      "image rm container-links/app:abc",
    ]);
  });

  test("an image still in use for a moment (a container going): tried again until it goes", () => {
    const { status, stderr, calls } = remove({ RM_FAILS: CONFLICT, RM_FAILS_TIMES: "2" });
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(calls.filter((c) => c.startsWith("image rm"))).toHaveLength(3);
    expect(calls.filter((c) => c.startsWith("sleep"))).toHaveLength(2);
    expect(exists()).toBe(false);
  });

  test("one that stays in use: a warning, after a bounded number of tries, and the update goes on", () => {
    const { status, stderr, calls } = remove({ RM_FAILS: CONFLICT });
    expect(status).toBe(0);
    expect(stderr).toBe(
      `warning: could not remove image container-links/app:abc: Error response from daemon: ${CONFLICT}`,
    );
    expect(calls.filter((c) => c.startsWith("image rm")).length).toBeGreaterThan(1);
    expect(exists()).toBe(true);
  });

  test("any other refusal: a warning at once, and the update goes on", () => {
    const { status, stderr, calls } = remove({ RM_FAILS: "permission denied" });
    expect(status).toBe(0);
    expect(stderr).toBe(
      "warning: could not remove image container-links/app:abc: Error response from daemon: permission denied",
    );
    expect(calls.filter((c) => c.startsWith("image rm"))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith("sleep"))).toEqual([]);
  });

  test("gone between the look and the removal (removed by hand): done, no warning", () => {
    const { status, stderr, calls } = remove({ RM_FAILS: "No such image: container-links/app:abc" });
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(calls.filter((c) => c.startsWith("image rm"))).toHaveLength(1);
  });
});

describe("removing the network", () => {
  const remove = (env: Record<string, string>) => {
    run(ENSURE_NETWORK, { ...NETWORK_ENV, CREATE: "yes" });
    fs.rmSync(path.join(state, "calls"));
    return runToEnd(REMOVE_NETWORK, { ...NETWORK_ENV, PULUMI_COMMAND_STDOUT: "net-id", ...env });
  };
  const ENDPOINTS = "error while removing network: network net id net-id has active endpoints";
  // What a swarm manager answers while a removed container's network attachment is still going.
  const IN_USE =
    "rpc error: code = FailedPrecondition desc = network j5yc0pv4urihah6lwwi4m2ao7 is in use by task py0ohhumnqg6no3e101tb0vk3";

  test.each([ENDPOINTS, IN_USE])(
    "still in use (a swarm's last task or attachment: %s): tried again until it goes",
    (message) => {
      const { status, stderr, calls } = remove({ RM_FAILS: message, RM_FAILS_TIMES: "2" });
      expect(status).toBe(0);
      expect(stderr).toBe("");
      expect(calls.filter((c) => c.startsWith("network rm"))).toHaveLength(3);
      expect(calls.filter((c) => c.startsWith("sleep"))).toHaveLength(2);
      expect(fs.existsSync(path.join(state, "network"))).toBe(false);
    },
  );

  test("endpoints that stay: the delete fails after a bounded number of tries, saying why", () => {
    const { status, stderr, calls } = remove({ RM_FAILS: ENDPOINTS });
    expect(status).toBe(1);
    expect(stderr).toBe(`could not remove network net: Error response from daemon: ${ENDPOINTS}`);
    expect(calls.filter((c) => c.startsWith("network rm")).length).toBeGreaterThan(1);
  });

  test.each(["network net not found", "No such network: net"])(
    "gone between the look and the removal (%s): done, no error",
    (message) => {
      const { status, stderr, calls } = remove({ RM_FAILS: message });
      expect(status).toBe(0);
      expect(stderr).toBe("");
      expect(calls.filter((c) => c.startsWith("network rm"))).toHaveLength(1);
    },
  );
});
