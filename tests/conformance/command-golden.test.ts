// Golden tests of the command plugin in use (built here or official) through the real engine,
// each expectation taken from pulumi-command's documentation of local.Command and local.run:
//   - create "will not be executed if the resource has already been created and its inputs are
//     unchanged"; without an update command, create runs again when inputs change;
//   - a change of triggers replaces the resource (the SDK sets replaceOnChanges triggers[*]);
//   - delete runs with PULUMI_COMMAND_STDOUT/STDERR set from the last create or update;
//   - local.run "will always be run on any preview or deployment";
//   - logging: "If there might be secrets in the output, you can disable logging here and mark
//     the outputs as secret via 'additionalSecretOutputs'": output is not made secret by itself,
//     while a secret input stays secret;
//   - a command that fails fails the deployment, with its output in the error.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { REPO_ROOT } from "./schema";

const exec = promisify(execFile);
const program = path.join(__dirname, "fixtures", "command");
const stack = `golden-${process.pid}`;
let scratch: string;
let log: string;
let configFile: string;
let env: NodeJS.ProcessEnv;

async function pulumi(...args: string[]): Promise<string> {
  // Stack settings go to a scratch file, not beside the fixture; `stack` commands take none.
  const config = args[0] === "stack" ? [] : ["--config-file", configFile];
  const { stdout } = await exec(
    path.join(REPO_ROOT, "bin", "pulumi"),
    [...args, ...config, "--cwd", program, "--stack", stack, "--non-interactive"],
    { env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

async function pulumiFails(...args: string[]): Promise<string> {
  try {
    await pulumi(...args);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
  throw new Error(`pulumi ${args.join(" ")} succeeded`);
}

/**
 * What the program's commands appended since the last call: how often local.run ran, and the
 * Command's own operations in order. The invoke and the resource run side by side, so the order
 * between a "run" line and the others is not defined.
 */
function logged(): { runs: number; ops: string[] } {
  const lines = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
  fs.rmSync(log, { force: true });
  return { runs: lines.filter((line) => line === "run").length, ops: lines.filter((line) => line !== "run") };
}

/** The operations a preview plans for the Command resource. */
async function plannedOps(): Promise<string[]> {
  const preview = JSON.parse(await pulumi("preview", "--json")) as { steps: { op: string; urn: string }[] };
  return preview.steps.filter((s) => s.urn.endsWith("::cmd")).map((s) => s.op);
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "container-links-golden-"));
  log = path.join(scratch, "commands.log");
  configFile = path.join(scratch, "Pulumi.golden.yaml");
  env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(scratch, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "",
  };
  fs.mkdirSync(path.join(scratch, "state"));
  await pulumi("stack", "init");
  await pulumi("config", "set", "log", log);
  await pulumi("config", "set", "--secret", "token", "s3cret");
}, 200_000);

afterAll(async () => {
  if (!scratch) return;
  await pulumi("destroy", "--yes", "--skip-preview").catch(() => undefined);
  await pulumi("stack", "rm", "--yes", "--force").catch(() => undefined);
  fs.rmSync(scratch, { recursive: true, force: true });
}, 200_000);

describe("command plugin, documented behaviour", () => {
  test("preview plans a create, runs nothing but local.run", async () => {
    expect(await plannedOps()).toEqual(["create"]);
    expect(logged()).toEqual({ runs: 1, ops: [] });
  }, 200_000);

  test("up runs create once; stdout is not secret because an input is, the secret input stays secret", async () => {
    await pulumi("up", "--yes", "--skip-preview");
    expect(logged()).toEqual({ runs: 1, ops: ["create"] });
    const outputs = JSON.parse(await pulumi("stack", "output", "--json"));
    expect(outputs.stdout).toBe("created with s3cret");
    expect(outputs.ranStdout).toBe("ran");
    expect(outputs.environment).toBe("[secret]");
    const state = JSON.parse(await pulumi("stack", "export"));
    const cmd = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::cmd"));
    expect(cmd.outputs.stdout).toBe("created with s3cret");
    expect(cmd.outputs.environment.TOKEN).toHaveProperty("ciphertext");
  }, 200_000);

  test("unchanged inputs: nothing to do, create does not run again", async () => {
    // A preview lists no step for a resource it leaves as it is.
    expect(await plannedOps()).toEqual([]);
    await pulumi("up", "--yes", "--skip-preview");
    expect(logged()).toEqual({ runs: 2, ops: [] });
  }, 200_000);

  test("a changed input updates in place; without an update command, create runs again", async () => {
    await pulumi("config", "set", "create", `echo create-2 >> ${log}; echo second`);
    expect(await plannedOps()).toEqual(["update"]);
    logged();
    await pulumi("up", "--yes", "--skip-preview");
    expect(logged()).toEqual({ runs: 1, ops: ["create-2"] });
    expect(JSON.parse(await pulumi("stack", "output", "--json")).stdout).toBe("second");
  }, 200_000);

  test("with an update command, an update runs it, not create", async () => {
    await pulumi(
      "config",
      "set",
      "update",
      `echo update >> ${log}; echo "updated after $PULUMI_COMMAND_STDOUT"`,
    );
    await pulumi("up", "--yes");
    expect(logged()).toEqual({ runs: 2, ops: ["update"] });
    expect(JSON.parse(await pulumi("stack", "output", "--json")).stdout).toBe("updated after second");
  }, 200_000);

  test("a changed trigger replaces: create first (Pulumi replaces create-before-delete), then delete with the last stdout", async () => {
    await pulumi("config", "set", "trigger", "t2");
    expect(await plannedOps()).toContain("replace");
    logged();
    await pulumi("up", "--yes", "--skip-preview");
    expect(logged()).toEqual({ runs: 1, ops: ["create-2", "delete after updated after second"] });
  }, 200_000);

  test("a failing command fails the update with its exit status and output", async () => {
    await pulumi("config", "set", "update", "echo boom >&2; exit 3");
    await pulumi("config", "set", "create", "echo changed");
    const out = await pulumiFails("up", "--yes", "--skip-preview");
    expect(out).toContain("exit status 3");
    expect(out).toContain("boom");
  }, 200_000);
});
