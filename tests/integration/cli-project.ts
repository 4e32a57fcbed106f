// bin/pulumi as a user runs it, in throwaway TypeScript projects that share one state folder and
// passphrase of their own (never the clone's): what the language host's and the docker plugin's CLI
// tests have in common.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "./harness";

const PULUMI = path.join(REPO_ROOT, "bin", "pulumi");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliWorkspace {
  /** The folder that holds the projects and the state. */
  dir: string;
  /** bin/pulumi in `cwd` with this workspace's state (and `extraEnv`); never rejects on an exit code. */
  pulumi(args: string[], cwd: string, extraEnv?: NodeJS.ProcessEnv): Promise<Run>;
  /** Removes the folder, its state included. */
  remove(): void;
}

/** A new workspace under the system's temporary folder; each command is killed after `timeoutMs`. */
export function cliWorkspace(name: string, timeoutMs: number, say?: (line: string) => void): CliWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.mkdirSync(path.join(dir, "state"));
  const pulumi = (args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...extraEnv,
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: `${name}-test`,
    };
    // The clone's own passphrase file is for its own stacks.
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    const start = Date.now();
    return new Promise((resolve, reject) =>
      execFile(
        PULUMI,
        args,
        { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
        (err, stdout, stderr) => {
          const code = err ? Number(err.code) : 0;
          say?.(`pulumi ${args[0]} (${path.basename(cwd)}): exit ${code} after ${Date.now() - start} ms`);
          if (err && typeof err.code !== "number")
            reject(new Error(`pulumi ${args.join(" ")}: ${err.message}`));
          else resolve({ code, stdout, stderr });
        },
      ),
    );
  };
  return { dir, pulumi, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A TypeScript project in `dir` that uses the repository's node_modules. */
export function tsProject(dir: string, name: string, program: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
  );
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main: "index.ts" }));
  fs.writeFileSync(path.join(dir, "index.ts"), program);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
}
