// What the stack makes with the docker CLI (its network, the app image) is made on an update and
// never by a preview. The ensure scripts run here for real against a stand-in `docker` on PATH that
// records its calls and keeps what it "made" in files; the wiring (which CREATE the look and the
// owner get in a preview and in an update) is read under Pulumi's mocks.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ENSURE_APP_IMAGE, REMOVE_APP_IMAGE } from "../../components/AppImage";
import { ENSURE_NETWORK, REMOVE_NETWORK } from "../../components/StackNetwork";
import { engineObject } from "../../components/engineObject";
import { BUILT_IMAGE_ID, COMMAND, PROJECT, recordingMocks, Registration, resolved, RUN } from "./mocks";

// A stand-in for the docker CLI: `image inspect` / `network inspect` answer only for what exists
// (a file named after it), `build` and `network create` make it, `image rm` and `network rm` remove
// it; every call is logged.
const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$STATE/calls"
case "$1 $2" in
  "image inspect") [ -f "$STATE/image" ] || exit 1; echo sha256:built ;;
  "network inspect") [ -f "$STATE/network" ] || exit 1; echo net-id ;;
  "network create") touch "$STATE/network"; echo net-id ;;
  "buildx version") exit 1 ;;
  "build --quiet") touch "$STATE/image" ;;
  "image rm") [ -f "$STATE/image" ] || { echo "Error: No such image: $3" >&2; exit 1; }; rm "$STATE/image" ;;
  "network rm")
    [ -z "$RM_FAILS" ] || { echo "Error response from daemon: $RM_FAILS" >&2; exit 1; }
    [ -f "$STATE/network" ] || { echo "Error: No such network: $3" >&2; exit 1; }
    rm "$STATE/network" ;;
  "container prune") ;;
  *) echo "unexpected: docker $*" >&2; exit 2 ;;
esac
`;

let bin: string;
let state: string;

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), "engine-object-bin-"));
  state = fs.mkdtempSync(path.join(os.tmpdir(), "engine-object-state-"));
  fs.writeFileSync(path.join(bin, "docker"), FAKE_DOCKER, { mode: 0o755 });
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

const IMAGE_ENV = { TAG: "container-links/app:abc", NODE_IMAGE: "node:x", CONTEXT: "/ctx" };
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
    // What the look found (the mocked invoke prints BUILT_IMAGE_ID) is a trigger: an object made
    // again (a new ID) replaces its owner.
    expect(owner?.triggers).toEqual(["n", "10.0.0.0/24", BUILT_IMAGE_ID]);
    // The ID is the owner's, not the look's.
    expect(id).toBe("owned-id");
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
