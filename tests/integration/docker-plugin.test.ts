// The docker plugin's behaviour where the build here (Terraform bridge v3.124.0 over a later
// kreuzwerker commit) and the official 5.0.0 (bridge v3.126.0 over kreuzwerker v4.2.0) differ, shown
// through bin/pulumi against the real engine, each in a throwaway project and state folder of its
// own. toolchain/README.md ("Behavioural differences from the official 5.0.0") lists every
// difference found in the sources, where it comes from, and which test here shows it.
//
// Each test expects what Docker itself reports, and, where the plugins differ, asserts the
// behaviour of the plugin installed: the one built here (told apart as tests/conformance/docker-schema
// does, by a field only its schema has) or, where downloads installed it, the official one, whose
// behaviour is the one its sources document.
import * as fs from "fs";
import * as path from "path";
import { pluginSchema } from "../conformance/schema";
import { configDefault } from "../../lib/config";
import { CliWorkspace, cliWorkspace, tsProject } from "./cli-project";
import { docker, progress, uniqueName, waitFor } from "./harness";

const say = progress("docker-plugin");
const NAME = uniqueName("dp");
const BUDGET_MS = 60_000;
/** A container that runs until it is removed. */
const SLEEP = ["sleep", "2147483647"];

let workspace: CliWorkspace;
let work: string;
/** bin/pulumi in this file's workspace (cli-project.ts). */
const pulumi: CliWorkspace["pulumi"] = (args, cwd, extraEnv) => workspace.pulumi(args, cwd, extraEnv);
const project = tsProject;
/** The stack's default busybox image (Pulumi.yaml), present on every engine the tests run. */
const probeImage = String(configDefault("probeImage"));
let builtHere: boolean;

/** bin/pulumi that must succeed; returns its stdout. */
async function pulumiOk(args: string[], cwd: string): Promise<string> {
  const run = await pulumi(args, cwd);
  if (run.code !== 0)
    throw new Error(`pulumi ${args.join(" ")}: exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

interface Step {
  op: string;
  urn: string;
  replaceReasons?: string[];
  diffReasons?: string[];
}

/** `pulumi preview --json`: its exit code, its steps by resource name, and what it printed. */
async function preview(
  cwd: string,
  stack: string,
): Promise<{ code: number; steps: Map<string, Step>; out: string }> {
  const run = await pulumi(["preview", "--json", "--stack", stack], cwd);
  const parsed = JSON.parse(run.stdout) as { steps?: Step[]; diagnostics?: { message: string }[] };
  const steps = new Map((parsed.steps ?? []).map((s) => [s.urn.split("::").pop() ?? s.urn, s]));
  const out = `${(parsed.diagnostics ?? []).map((d) => d.message).join("\n")}\n${run.stderr}`;
  return { code: run.code, steps, out };
}

interface StateResource {
  urn: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** The state's resource of that type and name. */
async function stateOf(cwd: string, stack: string, type: string, name: string): Promise<StateResource> {
  const state = JSON.parse(await pulumiOk(["stack", "export", "--stack", stack], cwd)) as {
    deployment: { resources?: StateResource[] };
  };
  const found = (state.deployment.resources ?? []).find((r) => r.urn.endsWith(`::${type}::${name}`));
  if (!found) throw new Error(`no ${type} ${name} in the state of ${stack}`);
  return found;
}

interface Inspect {
  Id: string;
  State: { Running: boolean };
  Config: { Healthcheck?: { Test: string[]; Interval?: number } | null };
  HostConfig: {
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]> | null;
    Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
    PidMode: string;
  };
  NetworkSettings: { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
}

async function inspect(name: string): Promise<Inspect> {
  return (JSON.parse(await docker(["container", "inspect", name])) as Inspect[])[0];
}

/** Docker's published ports of a container, in the shape the plugin's `ports` output has. */
function publishedPorts(c: Inspect): { internal: number; external: number; ip: string; protocol: string }[] {
  return Object.entries(c.NetworkSettings.Ports ?? {}).flatMap(([key, bindings]) =>
    (bindings ?? []).map((b) => ({
      internal: Number(key.split("/")[0]),
      external: Number(b.HostPort),
      ip: b.HostIp,
      protocol: key.split("/")[1],
    })),
  );
}

/** An empty list, or nothing at all: how the state says a property holds no value. */
function none(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

beforeAll(() => {
  workspace = cliWorkspace("docker-plugin", BUDGET_MS, say);
  work = workspace.dir;
  expect(probeImage).not.toBe("");
  const schema = pluginSchema("docker", "5.0.0");
  builtHere =
    "deviceCgroupRules" in (schema.resources["docker:index/container:Container"]?.inputProperties ?? {});
  say(`docker plugin: ${builtHere ? "built here" : "official"}`);
}, BUDGET_MS);

afterAll(async () => {
  for (const [dir, stack] of [
    [path.join(work, "imported"), "imported"],
    [path.join(work, "program"), "program"],
  ]) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
      const run = await pulumi(["destroy", "--yes", "--skip-preview", "--stack", stack], dir).catch((e) => e);
      if (run?.code !== 0) say(`destroy ${stack}: ${run?.code ?? ""} ${run?.stderr ?? String(run)}`);
    }
  }
  for (const suffix of ["imp", "mixed", "both", "published", "health"])
    await docker(["rm", "-f", `${NAME}-${suffix}`]).catch(() => undefined);
  await docker(["volume", "rm", "-f", `${NAME}-data`]).catch(() => undefined);
  workspace?.remove();
}, BUDGET_MS * 2);

describe("import of a container with a published port, a ulimit and the host's PID mode (kreuzwerker #947)", () => {
  const dir = () => path.join(work, "imported");
  const STACK = "imported";
  const TYPE = "docker:index/container:Container";
  let original: Inspect;
  let published: ReturnType<typeof publishedPorts>;

  test(
    "the imported state holds no ports, ulimits or pidMode, though Docker has all three (official: all three recorded)",
    async () => {
      project(
        dir(),
        "imported",
        'import * as docker from "@pulumi/docker";\nexport const unused = docker;\n',
      );
      const id = await docker([
        "run",
        "-d",
        "--name",
        `${NAME}-imp`,
        "-p",
        "127.0.0.1::8080",
        "--ulimit",
        "nofile=1024:2048",
        "--pid",
        "host",
        probeImage,
        ...SLEEP,
      ]);
      // waitFor returns only a truthy value.
      original = (await waitFor(
        async () => {
          const c = await inspect(id);
          return c.State.Running && publishedPorts(c).length > 0 ? c : undefined;
        },
        { timeoutMs: 20_000, what: "the container to run with its port published" },
      )) as Inspect;
      published = publishedPorts(original);
      // What Docker says the container has: the facts the plugin is held to.
      expect(published).toEqual([
        { internal: 8080, external: expect.any(Number), ip: "127.0.0.1", protocol: "tcp" },
      ]);
      expect(original.HostConfig.Ulimits).toEqual([{ Name: "nofile", Soft: 1024, Hard: 2048 }]);
      expect(original.HostConfig.PidMode).toBe("host");

      await pulumiOk(["stack", "init", STACK], dir());
      const code = path.join(work, "imported.ts");
      await pulumiOk(
        ["import", "--yes", "--protect=false", "--stack", STACK, "--out", code, TYPE, "box", id],
        dir(),
      );
      const { outputs } = await stateOf(dir(), STACK, TYPE, "box");
      const written = fs.readFileSync(code, "utf8");
      if (builtHere) {
        expect(none(outputs.ports)).toEqual([]);
        expect(none(outputs.ulimits)).toEqual([]);
        expect(outputs.pidMode ?? "").toBe("");
        expect(written).not.toMatch(/\b(ports|ulimits|pidMode):/);
      } else {
        expect(outputs.ports).toEqual(published);
        expect(outputs.ulimits).toEqual([{ name: "nofile", soft: 1024, hard: 2048 }]);
        expect(outputs.pidMode).toBe("host");
        expect(written).toMatch(/\bports:/);
      }
    },
    BUDGET_MS * 2,
  );

  test(
    "a refresh does not bring them back: the read sets them only when the state already has them",
    async () => {
      await pulumiOk(["refresh", "--yes", "--stack", STACK], dir());
      const { outputs } = await stateOf(dir(), STACK, TYPE, "box");
      if (builtHere) {
        expect(none(outputs.ports)).toEqual([]);
        expect(none(outputs.ulimits)).toEqual([]);
        expect(outputs.pidMode ?? "").toBe("");
      } else {
        expect(outputs.ports).toEqual(published);
        expect(outputs.pidMode).toBe("host");
      }
      // Docker's container is untouched by the refresh.
      expect(publishedPorts(await inspect(`${NAME}-imp`))).toEqual(published);
    },
    BUDGET_MS,
  );

  test(
    "the generated program previews a replacement (envs), and the up replaces the container by one without the port, ulimit and PID mode",
    async () => {
      fs.copyFileSync(path.join(work, "imported.ts"), path.join(dir(), "index.ts"));
      const { code, steps } = await preview(dir(), STACK);
      expect(code).toBe(0);
      if (builtHere) expect(steps.get("box")).toMatchObject({ op: "replace", replaceReasons: ["envs"] });
      await pulumiOk(["up", "--yes", "--skip-preview", "--stack", STACK], dir());
      const after = await inspect(`${NAME}-imp`);
      say(`after up: ${after.Id === original.Id ? "same container" : "replaced"}`);
      if (builtHere) {
        expect(after.Id).not.toBe(original.Id);
        expect(publishedPorts(after)).toEqual([]);
        expect(after.HostConfig.Ulimits ?? []).toEqual([]);
        expect(after.HostConfig.PidMode).toBe("");
      } else {
        expect(publishedPorts(after)).toEqual(published);
        expect(after.HostConfig.Ulimits).toEqual(original.HostConfig.Ulimits);
        expect(after.HostConfig.PidMode).toBe("host");
      }
    },
    BUDGET_MS * 2,
  );
});

// One program, its behaviour switched by config: a volume; "mixed", whose `volumes` set has elements
// with different fields; "both", a `volumes` entry naming both a host path and a volume;
// "published", a port the program publishes; "health", a healthcheck added and then changed.
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

const config = new pulumi.Config();
const name = config.require("name");
const image = config.require("image");
const hostDir = config.require("hostDir");
const interval = config.get("healthInterval");
const base = { image, command: ${JSON.stringify(SLEEP)} };

const volume = new docker.Volume("data", { name: \`\${name}-data\` });
const fromVolume = { volumeName: volume.name, containerPath: "/from-volume" };
const fromHost = { hostPath: hostDir, containerPath: "/from-host", readOnly: true };
new docker.Container(
  "mixed",
  {
    ...base,
    name: \`\${name}-mixed\`,
    volumes: config.get("order") === "host-first" ? [fromHost, fromVolume] : [fromVolume, fromHost],
  },
  { ignoreChanges: config.getBoolean("ignoreVolumes") ? ["volumes"] : [] },
);
new docker.Container("both", {
  ...base,
  name: \`\${name}-both\`,
  volumes: [{ hostPath: hostDir, volumeName: volume.name, containerPath: "/data" }],
});
new docker.Container("published", {
  ...base,
  name: \`\${name}-published\`,
  ports: [{ internal: 8080, ip: "127.0.0.1" }],
});
new docker.Container("health", {
  ...base,
  name: \`\${name}-health\`,
  healthcheck: interval ? { tests: ["CMD", "true"], interval } : undefined,
});
`;

describe("containers of a program", () => {
  const dir = () => path.join(work, "program");
  const STACK = "program";
  const TYPE = "docker:index/container:Container";
  let hostDir: string;

  const config = (values: Record<string, string>) =>
    pulumiOk(
      [
        "config",
        "set-all",
        "--stack",
        STACK,
        ...Object.entries(values).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
      ],
      dir(),
    );
  const up = () => pulumiOk(["up", "--yes", "--skip-preview", "--stack", STACK], dir());
  /** `volumes` entries by containerPath, with the fields that name a source. */
  const sources = (volumes: unknown) =>
    Object.fromEntries(
      none(volumes).map((v) => {
        const { containerPath, hostPath, volumeName } = v as Record<string, string | undefined>;
        return [containerPath, { hostPath: hostPath || undefined, volumeName: volumeName || undefined }];
      }),
    );

  beforeAll(async () => {
    hostDir = path.join(work, "host-dir");
    fs.mkdirSync(hostDir);
    project(dir(), "program", PROGRAM);
    await pulumiOk(["stack", "init", STACK], dir());
    await config({ name: NAME, image: probeImage, hostDir });
    await up();
  }, BUDGET_MS * 2);

  test(
    "a published port the program sets is kept in state through a refresh (#947 leaves out only what the state lacks)",
    async () => {
      const ports = publishedPorts(await inspect(`${NAME}-published`));
      expect(ports).toEqual([
        { internal: 8080, external: expect.any(Number), ip: "127.0.0.1", protocol: "tcp" },
      ]);
      expect((await stateOf(dir(), STACK, TYPE, "published")).outputs.ports).toEqual(ports);
      await pulumiOk(["refresh", "--yes", "--stack", STACK], dir());
      expect((await stateOf(dir(), STACK, TYPE, "published")).outputs.ports).toEqual(ports);
    },
    BUDGET_MS,
  );

  test(
    "a volumes entry with both hostPath and volumeName mounts the host path (kreuzwerker #930; official: the volume)",
    async () => {
      const mount = (await inspect(`${NAME}-both`)).Mounts.find((m) => m.Destination === "/data");
      if (builtHere) expect(mount).toMatchObject({ Type: "bind", Source: hostDir });
      else expect(mount).toMatchObject({ Type: "volume", Name: `${NAME}-data` });
    },
    BUDGET_MS,
  );

  test(
    "a refresh pairs set elements by position: the stored inputs of volumes lose their hostPath and volumeName (bridge #3384; official: kept)",
    async () => {
      // Docker's mounts: the facts.
      const mounts = (await inspect(`${NAME}-mixed`)).Mounts;
      expect(mounts.find((m) => m.Destination === "/from-volume")).toMatchObject({
        Type: "volume",
        Name: `${NAME}-data`,
      });
      expect(mounts.find((m) => m.Destination === "/from-host")).toMatchObject({
        Type: "bind",
        Source: hostDir,
        RW: false,
      });
      const program = {
        "/from-volume": { hostPath: undefined, volumeName: `${NAME}-data` },
        "/from-host": { hostPath: hostDir, volumeName: undefined },
      };
      // The provider returns the set in its own (hash) order; give the program the other order, so
      // that pairing by position pairs each element with the other one. The up (no change to make)
      // stores the program's inputs as they are.
      let state = await stateOf(dir(), STACK, TYPE, "mixed");
      const stateOrder = none(state.outputs.volumes).map(
        (v) => (v as { containerPath: string }).containerPath,
      );
      await config({ order: stateOrder[0] === "/from-volume" ? "host-first" : "volume-first" });
      await up();
      state = await stateOf(dir(), STACK, TYPE, "mixed");
      const inputOrder = none(state.inputs.volumes).map(
        (v) => (v as { containerPath: string }).containerPath,
      );
      expect(inputOrder).toEqual([...stateOrder].reverse());
      expect(sources(state.inputs.volumes)).toEqual(program);
      expect(sources(state.outputs.volumes)).toEqual(program);

      await pulumiOk(["refresh", "--yes", "--stack", STACK], dir());
      state = await stateOf(dir(), STACK, TYPE, "mixed");
      expect(sources(state.outputs.volumes)).toEqual(program);
      if (builtHere) {
        expect(sources(state.inputs.volumes)).toEqual({
          "/from-volume": { hostPath: undefined, volumeName: undefined },
          "/from-host": { hostPath: undefined, volumeName: undefined },
        });
      } else {
        expect(sources(state.inputs.volumes)).toEqual(program);
      }
      // The outputs are right, so the program itself still previews no change.
      const { code, steps } = await preview(dir(), STACK);
      expect(code).toBe(0);
      expect(steps.get("mixed")?.op ?? "same").toBe("same");
    },
    BUDGET_MS * 2,
  );

  test(
    'after that refresh, ignoreChanges: ["volumes"] sends the damaged inputs to Check and the preview fails (official: no change)',
    async () => {
      await config({ ignoreVolumes: "true" });
      const { code, steps, out } = await preview(dir(), STACK);
      if (builtHere) {
        expect(code).not.toBe(0);
        expect(out).toContain("'' must be an absolute path");
        expect(out).toContain("volumes");
      } else {
        expect(code).toBe(0);
        expect(steps.get("mixed")?.op ?? "same").toBe("same");
      }
      await config({ ignoreVolumes: "false" });
    },
    BUDGET_MS,
  );

  test(
    "adding a healthcheck replaces the container, which then has it (kreuzwerker #989; official: an update Docker never sees)",
    async () => {
      const before = await inspect(`${NAME}-health`);
      // The image has no healthcheck, so neither has the container.
      expect(before.Config.Healthcheck ?? null).toBeNull();
      await config({ healthInterval: "5s" });
      const { code, steps } = await preview(dir(), STACK);
      expect(code).toBe(0);
      if (builtHere)
        expect(steps.get("health")).toMatchObject({ op: "replace", replaceReasons: ["healthcheck"] });
      else expect(steps.get("health")).toMatchObject({ op: "update", diffReasons: ["healthcheck"] });
      await up();
      const after = await inspect(`${NAME}-health`);
      if (builtHere) {
        expect(after.Id).not.toBe(before.Id);
        expect(after.Config.Healthcheck).toEqual({ Test: ["CMD", "true"], Interval: 5_000_000_000 });
      } else {
        expect(after.Id).toBe(before.Id);
        expect(after.Config.Healthcheck ?? null).toBeNull();
      }
    },
    BUDGET_MS * 2,
  );

  test(
    "changing a healthcheck's interval is an update Docker never sees, shown again after every refresh (both plugins)",
    async () => {
      const before = await inspect(`${NAME}-health`);
      await config({ healthInterval: "7s" });
      const first = await preview(dir(), STACK);
      expect(first.steps.get("health")).toMatchObject({ op: "update", diffReasons: ["healthcheck"] });
      await up();
      const after = await inspect(`${NAME}-health`);
      expect(after.Id).toBe(before.Id);
      // Docker cannot change a container's healthcheck in place: it keeps what it had.
      expect(after.Config.Healthcheck ?? null).toEqual(before.Config.Healthcheck ?? null);
      await pulumiOk(["refresh", "--yes", "--stack", STACK], dir());
      const again = await preview(dir(), STACK);
      expect(again.steps.get("health")).toMatchObject({ op: "update", diffReasons: ["healthcheck"] });
    },
    BUDGET_MS * 2,
  );
});
