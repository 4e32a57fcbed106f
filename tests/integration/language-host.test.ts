// The Pulumi commands that need more of the Node.js language host than `pulumi up` does, run through
// bin/pulumi as a user runs them, each in a throwaway project and state folder of its own:
// `pulumi import` (GenerateProgram) writes TypeScript for a running container, `pulumi convert --from
// pcl` (GenerateProject, Link) writes a project that previews, the project's TypeScript policy pack
// (RunPlugin) passes the stack's program and stops one that breaks its rules, and `--tracing`
// carries the host's own spans. docs/toolchain.md lists every method of the protocol and where each is tested.
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { docker, lines, progress, REPO_ROOT, uniqueName } from "./harness";

const say = progress("language-host");
const PULUMI = path.join(REPO_ROOT, "bin", "pulumi");
const NAME = uniqueName("lh");
const BUDGET_MS = 120_000;

let work: string;
let probeImage: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** bin/pulumi in `cwd`, with this test's state folder and passphrase; never throws on exit codes. */
function pulumi(args: string[], cwd: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "language-host-test",
  };
  // The clone's own passphrase file is for its own stacks.
  delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
  return new Promise((resolve, reject) =>
    execFile(
      PULUMI,
      args,
      {
        cwd,
        env,
        timeout: BUDGET_MS,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number")
          reject(new Error(`pulumi ${args.join(" ")}: ${err.message}`));
        else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    ),
  );
}

/** A TypeScript project in `dir` that uses the repository's node_modules. */
function project(dir: string, name: string, program: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
  );
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main: "index.ts" }));
  fs.writeFileSync(path.join(dir, "index.ts"), program);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
}

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
  work = fs.mkdtempSync(path.join(os.tmpdir(), "language-host-"));
  fs.mkdirSync(path.join(work, "state"));
  const config = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8");
  probeImage = /probeImage:\n\s+type: string\n\s+default: "([^"]+)"/.exec(config)?.[1] ?? "";
  expect(probeImage).not.toBe("");
});

afterAll(async () => {
  await docker(["rm", "-f", `${NAME}-box`]).catch(() => undefined);
  fs.rmSync(work, { recursive: true, force: true });
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
