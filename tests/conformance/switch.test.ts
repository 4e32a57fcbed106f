// Switching between the toolchain built here and the official one, both ways, with the bootstrap's
// own scripts (toolchain.sh, plugins.sh) on a scratch cache seeded with the binaries already built.
// "Online" is simulated on this machine: a `pulumi` of the pinned version in a folder on PATH plays
// the user's own install, and an HTTP server on 127.0.0.1 serves plugin tarballs in the layout of
// Pulumi's release downloads, which PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES points `pulumi plugin
// install` at (Pulumi v3.248.0 reads it as comma-separated `regexp=URL` pairs and matches the regexp
// against the plugin's default source, github://api.github.com/pulumi/pulumi-<name>).
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { REPO_ROOT } from "./schema";

const run = promisify(execFile);
const plugins = [
  { name: "docker", version: "5.0.0" },
  { name: "command", version: "1.2.1" },
];

/** The real cache's variables, as the scripts see them. */
function cacheVars(): { cache: string; bin: string } {
  const out = execFileSync(
    "bash",
    ["-c", 'source scripts/lib.sh && printf "%s\\n%s\\n" "$CACHE_DIR" "$TOOLCHAIN_BIN"'],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
    },
  ).split("\n");
  return { cache: out[0], bin: out[1] };
}

/** A hard link where the file system allows, else a copy. */
function place(from: string, to: string) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

let scratch: string;
let cache: string;
let ownDir: string;
let server: http.Server;
let port: number;
let requests: string[];
let serveFiles: boolean;

beforeAll(async () => {
  if (!seeded) return;
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "container-links-switch-"));
  cache = path.join(scratch, "cache");
  // What the bootstrap built, so no step of this test builds anything.
  for (const name of ["pulumi", "pulumi-language-nodejs"]) {
    place(path.join(real.cache, "toolchain", "built", name), path.join(cache, "toolchain", "built", name));
    place(path.join(real.cache, "keys", name), path.join(cache, "keys", name));
  }
  const tarballs = path.join(scratch, "downloads");
  fs.mkdirSync(tarballs);
  for (const { name, version } of plugins) {
    const binary = path.join(real.cache, "build", `pulumi-resource-${name}-v${version}`);
    place(binary, path.join(cache, "build", path.basename(binary)));
    place(path.join(real.cache, "keys", `plugin-${name}`), path.join(cache, "keys", `plugin-${name}`));
    // The release layout: pulumi-resource-<name>-v<version>-linux-amd64.tar.gz holding the binary.
    const stage = path.join(scratch, `stage-${name}`);
    place(binary, path.join(stage, `pulumi-resource-${name}`));
    await run("tar", [
      "-C",
      stage,
      "-I",
      "gzip -1",
      "-cf",
      path.join(tarballs, `pulumi-resource-${name}-v${version}-linux-amd64.tar.gz`),
      ".",
    ]);
  }
  // The user's own install: the pinned CLI with its language host beside it.
  ownDir = path.join(scratch, "own-pulumi");
  for (const name of ["pulumi", "pulumi-language-nodejs"]) {
    place(path.join(real.cache, "toolchain", "built", name), path.join(ownDir, name));
  }

  requests = [];
  serveFiles = true;
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const file = path.join(tarballs, path.basename(req.url ?? ""));
    if (!serveFiles || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Length": fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

interface Step {
  downloads: "auto" | "yes" | "no";
  ownPulumi: boolean;
}

/** Runs toolchain.sh then plugins.sh as the bootstrap does, and reads back what is in use. */
async function bootstrapToolchain(step: Step) {
  // No pulumi from the environment running the tests: only the simulated user's own, if any.
  const pathDirs = (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => dir && !fs.existsSync(path.join(dir, "pulumi")));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PULUMI_") && !k.startsWith("CONTAINER_LINKS_")) env[k] = v;
  }
  Object.assign(env, {
    PATH: [...(step.ownPulumi ? [ownDir] : []), ...pathDirs].join(":"),
    CONTAINER_LINKS_CACHE: cache,
    CONTAINER_LINKS_DOWNLOADS: step.downloads,
    PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^github://api.github.com/pulumi/pulumi-(docker|command)$=http://127.0.0.1:${port}`,
  });
  const opts = { cwd: REPO_ROOT, env, timeout: 280_000, maxBuffer: 16 * 1024 * 1024 };
  const toolchain = await run(path.join(REPO_ROOT, "scripts", "toolchain.sh"), [], opts);
  const pluginsOut = await run(path.join(REPO_ROOT, "scripts", "plugins.sh"), [], opts);
  const summary = await run("bash", ["-c", "source scripts/env.sh && toolchain_summary"], opts);
  const bin = path.join(cache, "toolchain", "bin");
  const home = path.join(cache, "pulumi-home", "plugins");
  return {
    log: toolchain.stdout + pluginsOut.stdout,
    summary: summary.stdout.trim(),
    cliIsOwn: fs.lstatSync(path.join(bin, "pulumi")).isSymbolicLink(),
    cliTarget: fs.lstatSync(path.join(bin, "pulumi")).isSymbolicLink()
      ? fs.readlinkSync(path.join(bin, "pulumi"))
      : "",
    builtHost: fs.existsSync(path.join(bin, "pulumi-language-nodejs")),
    pluginsBuiltHere: plugins.map(({ name, version }) =>
      fs.existsSync(path.join(home, `resource-${name}-v${version}`, "container-links.build-key")),
    ),
    pluginsPresent: plugins.map(({ name, version }) =>
      fs.existsSync(path.join(home, `resource-${name}-v${version}`, `pulumi-resource-${name}`)),
    ),
    env,
  };
}

// The scratch cache is seeded with what the bootstrap built; a machine that uses the official
// toolchain (the user's own pulumi) built nothing to seed it with.
const real = cacheVars();
const seeded = [
  ...["pulumi", "pulumi-language-nodejs"].map((name) => path.join("toolchain", "built", name)),
  ...plugins.flatMap(({ name, version }) => [
    path.join("build", `pulumi-resource-${name}-v${version}`),
    path.join("keys", `plugin-${name}`),
  ]),
].every((file) => fs.existsSync(path.join(real.cache, file)));
const describeSeeded = seeded ? describe : describe.skip;

describeSeeded("switching toolchains (needs the toolchain built by the bootstrap)", () => {
  test("CONTAINER_LINKS_DOWNLOADS=no uses the toolchain built here, even beside the user's own pulumi", async () => {
    const state = await bootstrapToolchain({ downloads: "no", ownPulumi: true });
    expect(state.log).toContain("CONTAINER_LINKS_DOWNLOADS=no: using the toolchain built here");
    expect(state.log).not.toContain("building");
    expect([state.cliIsOwn, state.builtHost]).toEqual([false, true]);
    expect(state.pluginsBuiltHere).toEqual([true, true]);
    expect(requests).toEqual([]);
    expect(state.summary).toBe(
      "CLI built here v3.248.0 with language host built here, docker 5.0.0 built here, command 1.2.1 built here",
    );
  }, 300_000);

  test("online (the user's own pulumi): the official CLI, its host and downloaded plugins", async () => {
    const state = await bootstrapToolchain({ downloads: "auto", ownPulumi: true });
    expect(state.log).toContain(
      `pulumi: the official CLI ${ownDir}/pulumi (v3.248.0) and the language host beside it`,
    );
    expect(state.log).toContain(
      "docker 5.0.0: trying 'pulumi plugin install' (downloads on: auto: your own pulumi v3.248.0)",
    );
    expect(state.log).toContain("docker 5.0.0: official plugin downloaded and installed");
    expect(state.log).toContain("command 1.2.1: official plugin downloaded and installed");
    expect(requests.sort()).toEqual([
      "/pulumi-resource-command-v1.2.1-linux-amd64.tar.gz",
      "/pulumi-resource-docker-v5.0.0-linux-amd64.tar.gz",
    ]);
    expect([state.cliIsOwn, state.cliTarget, state.builtHost]).toEqual([true, `${ownDir}/pulumi`, false]);
    expect(state.pluginsBuiltHere).toEqual([false, false]);
    expect(state.pluginsPresent).toEqual([true, true]);
    expect(state.summary).toBe(
      `official CLI ${ownDir}/pulumi v3.248.0 with its own language host, docker 5.0.0 official, command 1.2.1 official`,
    );
    // The CLI in use loads the downloaded plugin.
    const schema = await run(
      path.join(REPO_ROOT, "bin", "pulumi"),
      ["package", "get-schema", "command@1.2.1"],
      {
        cwd: REPO_ROOT,
        env: state.env,
        timeout: 60_000,
      },
    );
    expect(JSON.parse(schema.stdout).name).toBe("command");

    // A second run finds everything in place and downloads nothing.
    requests.length = 0;
    const again = await bootstrapToolchain({ downloads: "auto", ownPulumi: true });
    expect(again.log).toContain("docker 5.0.0: official plugin installed");
    expect(requests).toEqual([]);
  }, 300_000);

  test("back offline (CONTAINER_LINKS_DOWNLOADS=no): the toolchain built here again, without rebuilding", async () => {
    const state = await bootstrapToolchain({ downloads: "no", ownPulumi: true });
    expect(state.log).toContain(
      "docker 5.0.0: plugin built here, installed (replacing the downloaded one: downloads are off)",
    );
    expect(state.log).not.toContain("building");
    expect([state.cliIsOwn, state.builtHost]).toEqual([false, true]);
    expect(state.pluginsBuiltHere).toEqual([true, true]);
  }, 300_000);

  test("downloads forced on where they fail: the install is tried first, the fallback is reported", async () => {
    serveFiles = false;
    requests.length = 0;
    const state = await bootstrapToolchain({ downloads: "yes", ownPulumi: false });
    expect(state.log).toContain("pulumi: the CLI and language host built here (v3.248.0)");
    expect(state.log).toContain(
      "docker 5.0.0: trying 'pulumi plugin install' (downloads on: CONTAINER_LINKS_DOWNLOADS=yes)",
    );
    expect(state.log).toMatch(
      /docker 5\.0\.0: download failed \(.*\); falling back to the plugin built here/,
    );
    expect(state.log).toContain("docker 5.0.0: plugin built here, installed");
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(state.pluginsBuiltHere).toEqual([true, true]);
  }, 300_000);
});
