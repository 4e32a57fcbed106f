// The Pulumi commands that need more of the Node.js language host than `pulumi up` does, run through
// bin/pulumi as a user runs them, each in a throwaway project and state folder of its own:
// `pulumi import` (GenerateProgram) writes TypeScript for a running container, `pulumi convert --from
// pcl` (GenerateProject, Link) writes a project that previews, the project's TypeScript policy pack
// (RunPlugin) passes the stack's program and stops one that breaks its rules, `--tracing`
// carries the host's own spans, `pulumi package pack-sdk` (Pack) makes an npm tarball, `pulumi new`
// (RuntimeOptionsPrompts) records the package manager, and `--attach-debugger` runs the program under
// node's inspector. docs/toolchain.md lists every method of the protocol and where each is tested.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import * as yaml from "js-yaml";
import { configDefault } from "../../lib/config";
import { CliWorkspace, cliWorkspace, tsProject } from "./cli-project";
import { docker, lines, progress, REPO_ROOT, uniqueName, waitFor } from "./harness";

const say = progress("language-host");
const NAME = uniqueName("lh");
const BUDGET_MS = 120_000;

let workspace: CliWorkspace;
let work: string;
/** bin/pulumi in this file's workspace (cli-project.ts). */
const pulumi: CliWorkspace["pulumi"] = (args, cwd, extraEnv) => workspace.pulumi(args, cwd, extraEnv);
const project = tsProject;
/** The stack's default busybox image (Pulumi.yaml), present on every engine the tests run. */
const probeImage = String(configDefault("probeImage"));

interface Step {
  op: string;
  urn: string;
  replaceReasons?: string[];
}

/** `pulumi preview --json`'s steps, as "op type name" plus the replace reasons. */
async function previewSteps(cwd: string, stack: string): Promise<Step[]> {
  const run = await pulumi(["preview", "--json", "--stack", stack], cwd);
  const parsed = JSON.parse(run.stdout) as { steps?: Step[] };
  if (!parsed.steps) throw new Error(`preview gave no steps (exit ${run.code}): ${run.stderr}`);
  return parsed.steps;
}

/** Resource URNs in a stack's state. */
async function stateUrns(cwd: string, stack: string): Promise<string[]> {
  const run = await pulumi(["stack", "export", "--stack", stack], cwd);
  expect(run.code).toBe(0);
  const state = JSON.parse(run.stdout) as { deployment: { resources?: { urn: string }[] } };
  return (state.deployment.resources ?? []).map((r) => r.urn).sort();
}

beforeAll(() => {
  workspace = cliWorkspace("language-host", BUDGET_MS);
  work = workspace.dir;
  expect(probeImage).not.toBe("");
});

afterAll(async () => {
  await docker(["rm", "-f", `${NAME}-box`]).catch(() => undefined);
  workspace?.remove();
});

describe("pulumi import (GenerateProgram)", () => {
  const dir = () => path.join(work, "import");
  const STACK = "imported";
  let id = "";

  test(
    "of a running container: the stack holds it, and TypeScript using @pulumi/docker is written",
    async () => {
      project(
        dir(),
        "imported",
        'import * as docker from "@pulumi/docker";\nexport const unused = docker;\n',
      );
      id = await docker(["run", "-d", "--name", `${NAME}-box`, probeImage, "sleep", "2147483647"]);
      expect((await pulumi(["stack", "init", STACK], dir())).code).toBe(0);
      const before = await stateUrns(dir(), STACK);
      const code = path.join(work, "imported.ts");
      const run = await pulumi(
        [
          "import",
          "--yes",
          "--protect=false",
          "--stack",
          STACK,
          "--out",
          code,
          "docker:index/container:Container",
          "box",
          id,
        ],
        dir(),
      );
      say(`import: exit ${run.code}`);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      const after = await stateUrns(dir(), STACK);
      expect(before).not.toContain(`urn:pulumi:${STACK}::imported::docker:index/container:Container::box`);
      expect(after).toContain(`urn:pulumi:${STACK}::imported::docker:index/container:Container::box`);
      const written = fs.readFileSync(code, "utf8");
      expect(written).toContain('import * as docker from "@pulumi/docker";');
      expect(written).toContain('const box = new docker.Container("box", {');
      expect(written).toContain(`name: "${NAME}-box",`);
      expect(written).toContain(`image: "${probeImage}",`);
      expect(written).toContain('"sleep",');
    },
    BUDGET_MS * 2,
  );

  test(
    "pasted in as the program, it previews the container as a replacement for envs only (the docker plugin built here: docs/toolchain.md)",
    async () => {
      fs.copyFileSync(path.join(work, "imported.ts"), path.join(dir(), "index.ts"));
      const steps = await previewSteps(dir(), STACK);
      const container = steps.find((s) => s.urn.endsWith("::box"));
      expect(container).toMatchObject({ op: "replace", replaceReasons: ["envs"] });
      expect(steps.filter((s) => s !== container).map((s) => s.op)).toEqual(["same"]);
    },
    BUDGET_MS,
  );

  test(
    "an import that fails leaves the state as it was",
    async () => {
      const before = await stateUrns(dir(), STACK);
      const run = await pulumi(
        [
          "import",
          "--yes",
          "--stack",
          STACK,
          "docker:index/container:Container",
          "ghost",
          "0123456789ab-no-such-container",
        ],
        dir(),
      );
      expect(run.code).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toMatch(/ghost/);
      expect(await stateUrns(dir(), STACK)).toEqual(before);
    },
    BUDGET_MS,
  );
});

describe("pulumi convert --from pcl (GenerateProject, Link)", () => {
  const pcl = () => path.join(work, "pcl");
  const out = () => path.join(work, "converted");

  test(
    "writes a TypeScript project that pulumi preview accepts, and makes nothing",
    async () => {
      fs.mkdirSync(pcl(), { recursive: true });
      fs.writeFileSync(
        path.join(pcl(), "main.pp"),
        [
          'resource network "docker:index/network:Network" {',
          `  name = "${NAME}-net"`,
          "}",
          "",
          'resource volume "docker:index/volume:Volume" {',
          `  name = "${NAME}-data"`,
          "}",
          "",
          "output networkName {",
          "  value = network.name",
          "}",
          "",
        ].join("\n"),
      );
      const run = await pulumi(
        ["convert", "--from", "pcl", "--language", "typescript", "--out", out(), "--generate-only"],
        pcl(),
      );
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 0,
        stderr: "Converting from pcl...\nConverting to nodejs...\n",
      });
      expect(fs.readdirSync(out()).sort()).toEqual([
        ".gitignore",
        "Pulumi.yaml",
        "index.ts",
        "package.json",
        "tsconfig.json",
      ]);
      const program = fs.readFileSync(path.join(out(), "index.ts"), "utf8");
      expect(program).toContain(`const network = new docker.Network("network", {name: "${NAME}-net"});`);
      expect(program).toContain("export const networkName = network.name;");
      const manifest = JSON.parse(fs.readFileSync(path.join(out(), "package.json"), "utf8"));
      expect(manifest.dependencies).toMatchObject({ "@pulumi/docker": "5.0.0" });

      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(out(), "node_modules"));
      expect((await pulumi(["stack", "init", "converted"], out())).code).toBe(0);
      const steps = await previewSteps(out(), "converted");
      expect(steps.map((s) => `${s.op} ${s.urn.split("::").slice(-2).join(" ")}`).sort()).toEqual([
        "create docker:index/network:Network network",
        "create docker:index/volume:Volume volume",
        "create pulumi:pulumi:Stack pcl-converted",
      ]);
      const networks = lines(await docker(["network", "ls", "--format", "{{.Name}}"]));
      expect(networks).not.toContain(`${NAME}-net`);
    },
    BUDGET_MS * 2,
  );
});

describe("pulumi package gen-sdk --language nodejs (GeneratePackage)", () => {
  test(
    "writes the Node.js SDK of an installed plugin, with the tokens the published SDK uses",
    async () => {
      const out = path.join(work, "sdk");
      const run = await pulumi(["package", "gen-sdk", "command", "--language", "nodejs", "--out", out], work);
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 0,
        stderr: `SDK has been written to ${path.join(out, "nodejs")}\n`,
      });
      const sdk = path.join(out, "nodejs");
      expect(JSON.parse(fs.readFileSync(path.join(sdk, "package.json"), "utf8")).name).toBe(
        "@pulumi/command",
      );
      // The published @pulumi/command, installed here, is the independent reference for the token.
      const published = fs.readFileSync(
        path.join(REPO_ROOT, "node_modules", "@pulumi", "command", "local", "command.js"),
        "utf8",
      );
      const token = /__pulumiType = '([^']+)'/.exec(published)?.[1];
      expect(token).toBe("command:local:Command");
      expect(fs.readFileSync(path.join(sdk, "local", "command.ts"), "utf8")).toContain(
        `public static readonly __pulumiType = '${token}';`,
      );
      expect(fs.existsSync(path.join(sdk, "local", "run.ts"))).toBe(true);
    },
    BUDGET_MS,
  );
});

describe("a TypeScript policy pack (RunPlugin): policy/", () => {
  const POLICY = path.join(REPO_ROOT, "policy");

  test(
    "passes a preview of the stack's program",
    async () => {
      // A throwaway stack of the real program (its Pulumi.<stack>.yaml is git-ignored, as the other
      // tests' are); a preview makes nothing.
      const stack = `${NAME}-policy`;
      expect((await pulumi(["stack", "init", stack], REPO_ROOT)).code).toBe(0);
      try {
        const run = await pulumi(["preview", "--stack", stack, "--policy-pack", POLICY], REPO_ROOT);
        expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
        expect(run.stdout).toMatch(/✅ container-links@v1\.0\.0 \(local: .*policy\)/);
      } finally {
        await pulumi(["stack", "rm", "--yes", "--force", stack], REPO_ROOT);
      }
    },
    BUDGET_MS * 2,
  );

  test(
    "stops a program that publishes Redis's port or runs a container without a restart policy, with each rule's message",
    async () => {
      const dir = path.join(work, "breaks-rules");
      project(
        dir,
        "breaks-rules",
        [
          'import * as docker from "@pulumi/docker";',
          'export const open = new docker.Container("open", { name: "open-redis", image: "redis", ports: [{ internal: 6379, external: 16379 }], restart: "unless-stopped" });',
          'export const fragile = new docker.Container("fragile", { name: "fragile", image: "busybox" });',
          'export const oneOff = new docker.Container("one-off", { name: "one-off", image: "busybox", rm: true });',
          'export const service = new docker.Service("svc", { name: "open-redis-svc", taskSpec: { containerSpec: { image: "redis" } }, endpointSpec: { ports: [{ targetPort: 6379, publishedPort: 26379 }] } });',
          "",
        ].join("\n"),
      );
      expect((await pulumi(["stack", "init", "breaks-rules"], dir)).code).toBe(0);
      const run = await pulumi(["preview", "--stack", "breaks-rules", "--policy-pack", POLICY], dir);
      expect(run.code).not.toBe(0);
      const out = run.stdout;
      expect(out).toContain("❌ container-links@v1.0.0");
      expect(out).toContain(
        "container open-redis publishes Redis's port 6379 on the host (0.0.0.0:16379): anyone who reaches the host reaches the data store.",
      );
      expect(out).toContain(
        "service open-redis-svc publishes Redis's port 6379 (ingress mode, port 26379): anyone who reaches a node reaches the data store.",
      );
      expect(out).toContain("container fragile has no restart policy (restart: no)");
      // A container removed when it stops is a one-off, not a long-running one.
      expect(out).not.toContain("container one-off");
      expect(out.match(/- \[mandatory\]/g)).toHaveLength(3);
    },
    BUDGET_MS,
  );
});

describe("--tracing", () => {
  test(
    "a Zipkin endpoint gets the language host's own spans (its service, its Run)",
    async () => {
      const bodies: Buffer[] = [];
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          bodies.push(Buffer.concat(chunks));
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      try {
        const run = await pulumi(
          ["preview", "--stack", "converted", `--tracing=http://127.0.0.1:${port}/api/v1/spans`],
          path.join(work, "converted"),
        );
        expect(run.code).toBe(0);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      // Each process reports its own spans: a report from the host names its service and no CLI's.
      const fromHost = bodies
        .map((b) => b.toString("latin1"))
        .filter((b) => b.includes("pulumi-language-nodejs") && !b.includes("pulumi-cli"));
      say(`${bodies.length} reports, ${fromHost.length} from the language host`);
      expect(fromHost.some((b) => b.includes("pulumirpc.LanguageRuntime/Run"))).toBe(true);
    },
    BUDGET_MS,
  );

  test(
    "--tracing=file: writes the trace, the language host's calls in it",
    async () => {
      const file = path.join(work, "preview.trace");
      const run = await pulumi(
        ["preview", "--stack", "converted", `--tracing=file:${file}`],
        path.join(work, "converted"),
      );
      expect(run.code).toBe(0);
      const trace = fs.readFileSync(file).toString("latin1");
      expect(trace).toContain("pulumirpc.LanguageRuntime/Run");
      // The CLI's own spans mention the host (its path, its calls); only a host that traces adds a
      // span of its own, named after it (its root span: Name "pulumi-language-nodejs", in the
      // appdash store's gob encoding, strings prefixed by their length).
      const control = "[\\u0000-\\u001f]";
      expect(trace).toMatch(
        new RegExp(`Name${control}{1,4}pulumi-language-nodejs${control}{1,6}_schema:name`),
      );
    },
    BUDGET_MS,
  );
});

// npm with no questions to the registry: the packages packed here have no dependencies.
const QUIET_NPM = {
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

describe("pulumi package pack-sdk nodejs (Pack)", () => {
  test(
    "installs and builds the SDK, and packs its bin/ with its package.json into an npm tarball in the working directory",
    async () => {
      const sdk = path.join(work, "pack", "sdk");
      const out = path.join(work, "pack", "out");
      fs.mkdirSync(sdk, { recursive: true });
      fs.mkdirSync(out, { recursive: true });
      const manifest = JSON.stringify({
        name: "@acme/widget",
        version: "1.2.3",
        main: "index.js",
        scripts: { build: "node build.js" },
      });
      fs.writeFileSync(path.join(sdk, "package.json"), manifest);
      // A generated SDK's build script compiles into bin/; this one writes bin/ itself.
      fs.writeFileSync(
        path.join(sdk, "build.js"),
        'const fs = require("fs");\nfs.mkdirSync("bin", { recursive: true });\nfs.writeFileSync("bin/index.js", "exports.x = 1;\\n");\n',
      );
      const run = await pulumi(["package", "pack-sdk", "nodejs", sdk], out, QUIET_NPM);
      expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" });
      // The CLI prints the artifact's path; npm names a scoped package's tarball <scope>-<name>-<version>.tgz.
      const tarball = path.join(out, "acme-widget-1.2.3.tgz");
      expect(run.stdout).toBe(tarball);
      // The host announces each step on stderr, which the CLI shows.
      const steps = run.stderr.split("\n").filter((l) => l.startsWith("$ "));
      expect(steps).toEqual(["$ npm install", "$ npm run build", "$ npm pack"]);
      const listed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
      expect(listed.sort()).toEqual(["package/index.js", "package/package.json"]);
      // The SDK's own package.json, copied into bin/ before packing.
      expect(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })).toBe(
        manifest,
      );
    },
    BUDGET_MS,
  );
});

describe("pulumi new (RuntimeOptionsPrompts)", () => {
  /** A local template: Pulumi.yaml with the given runtime options, package.json, index.ts. */
  function template(dir: string, options: Record<string, unknown>): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      [
        "name: ${PROJECT}",
        "description: ${DESCRIPTION}",
        "runtime:",
        "  name: nodejs",
        "  options:",
        ...Object.entries(options).map(([k, v]) => `    ${k}: ${String(v)}`),
        "",
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "${PROJECT}", main: "index.ts" }),
    );
    fs.writeFileSync(path.join(dir, "index.ts"), "export const answer = 42;\n");
  }

  async function generate(tpl: string, name: string, more: string[] = []): Promise<unknown> {
    const dir = path.join(work, "new", name);
    const run = await pulumi(
      ["new", tpl, "--yes", "--generate-only", "--name", name, "--dir", dir, ...more],
      work,
    );
    expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" });
    const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
      runtime: { options?: Record<string, unknown> };
    };
    return project.runtime.options;
  }

  test(
    "with --yes, a template that names no package manager gets the default, npm, in Pulumi.yaml",
    async () => {
      const tpl = path.join(work, "new", "templates", "plain");
      template(tpl, { typescript: true });
      expect(await generate(tpl, "pm-default")).toEqual({ typescript: true, packagemanager: "npm" });
    },
    BUDGET_MS,
  );

  test(
    "a package manager the template or --runtime-options sets is kept (nothing is asked)",
    async () => {
      const tpl = path.join(work, "new", "templates", "pnpm");
      template(tpl, { typescript: true, packagemanager: "pnpm" });
      expect(await generate(tpl, "pm-template")).toEqual({ typescript: true, packagemanager: "pnpm" });
      const plain = path.join(work, "new", "templates", "plain-2");
      template(plain, { typescript: true });
      expect(await generate(plain, "pm-flag", ["--runtime-options", "packagemanager=yarn"])).toEqual({
        typescript: true,
        packagemanager: "yarn",
      });
    },
    BUDGET_MS,
  );
});

describe("--attach-debugger", () => {
  test(
    "the program waits under node's inspector; the engine gets a VS Code attach configuration, and the run goes on once a debugger attaches",
    async () => {
      const dir = path.join(work, "debugged");
      project(dir, "debugged", "export const answer = 42;\n");
      expect((await pulumi(["stack", "init", "debugged"], dir)).code).toBe(0);
      const events = path.join(work, "debugged-events.json");
      // --event-log is one of the CLI's debug commands; the debugging-start event is written there.
      const preview = pulumi(
        ["preview", "--stack", "debugged", "--attach-debugger", "--event-log", events],
        dir,
        { PULUMI_DEBUG_COMMANDS: "true" },
      );
      const config = await waitFor(
        async () => {
          const line = (fs.existsSync(events) ? fs.readFileSync(events, "utf8") : "")
            .split("\n")
            .find((l) => l.includes('"startDebuggingEvent"'));
          return line
            ? (JSON.parse(line) as { startDebuggingEvent: { config: Record<string, unknown> } })
                .startDebuggingEvent.config
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: "the debugging-start event in the event log" },
      );
      const { processId, port, ...rest } = config as { processId: number; port?: number };
      expect(rest).toEqual({
        name: "Pulumi: Program (nodejs)",
        type: "node",
        request: "attach",
        continueOnAttach: true,
        skipFiles: ["<node_internals>/**"],
      });
      expect(processId).toBeGreaterThan(0);
      // As a debugger would: find the waiting process's inspector (9229 unless the config names another
      // port; retried while node opens it) and let it run.
      const attach = [
        `const url = "http://127.0.0.1:${port ?? 9229}/json/list";`,
        "let targets;",
        "for (let i = 0; !targets; i++) {",
        "  try { targets = await (await fetch(url)).json(); }",
        "  catch (e) { if (i >= 100) throw e; await new Promise((r) => setTimeout(r, 100)); }",
        "}",
        "const ws = new WebSocket(targets[0].webSocketDebuggerUrl);",
        'ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: "Runtime.runIfWaitingForDebugger" }));',
        "ws.onmessage = () => ws.close();",
      ].join("\n");
      try {
        execFileSync(
          "node",
          ["--experimental-websocket", "--no-warnings", "--input-type=module", "-e", attach],
          {
            timeout: 30_000,
          },
        );
      } catch (e) {
        // Not left waiting for a debugger after this test.
        process.kill(processId, "SIGKILL");
        throw e;
      }
      const run = await preview;
      expect(run.code).toBe(0);
      const where =
        port === undefined ? `on process id ${processId}` : `on process id ${processId} and port ${port}`;
      expect(run.stdout).toContain(`Waiting for debugger to attach (${where})...`);
      expect(run.stdout).toMatch(/answer\s*: 42/);
    },
    BUDGET_MS,
  );
});
