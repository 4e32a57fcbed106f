// The pinned Pulumi toolchain as scripts/env.sh sets it up (PATH, PULUMI_HOME, the local file
// backend, the passphrase, no update check, no plugin downloads), for the integration tests and the
// bench alike.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "..");

interface Toolchain {
  env: Record<string, string>;
  bin: string;
  pulumiVersion: string;
}

let toolchainMemo: Toolchain | undefined;

function loadToolchain(): Toolchain {
  if (toolchainMemo) {
    return toolchainMemo;
  }
  const envSh = path.join(REPO_ROOT, "scripts", "env.sh");
  // TOOLCHAIN_BIN and PULUMI_VERSION are shell variables of lib.sh/versions.env, not exported:
  // print them as the first two NUL-terminated records, then the exported environment.
  const script = 'source "$1" && printf "%s\\0%s\\0" "$TOOLCHAIN_BIN" "$PULUMI_VERSION" && env -0';
  let out: string;
  try {
    out = execFileSync("bash", ["-c", script, "bash", envSh], {
      encoding: "utf8",
      timeout: 30_000,
      maxBuffer: 16 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`sourcing ${envSh} failed: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
  const records = out.split("\0");
  const [bin, pulumiVersion, ...vars] = records;
  const env: Record<string, string> = {};
  for (const record of vars) {
    const eq = record.indexOf("=");
    if (eq > 0) {
      env[record.slice(0, eq)] = record.slice(eq + 1);
    }
  }
  if (!bin || !fs.existsSync(path.join(bin, "pulumi"))) {
    throw new Error(
      `the pinned Pulumi CLI is missing (${path.join(bin || "$TOOLCHAIN_BIN", "pulumi")}): ` +
        "run npm run bootstrap first",
    );
  }
  toolchainMemo = { env, bin, pulumiVersion };
  return toolchainMemo;
}

/**
 * The environment scripts/env.sh sets up (PATH with the pinned toolchain first, PULUMI_HOME,
 * PULUMI_BACKEND_URL, passphrase, no update check, no plugin downloads), on top of this process's
 * environment. Computed once per process.
 */
export function toolchainEnv(): Record<string, string> {
  return loadToolchain().env;
}

/** The pinned CLI's path ($TOOLCHAIN_BIN/pulumi). */
export function pulumiBin(): string {
  return path.join(loadToolchain().bin, "pulumi");
}

let pulumiCommandMemo: Promise<PulumiCommand> | undefined;

/**
 * The pinned Pulumi CLI, $TOOLCHAIN_BIN/pulumi, by absolute path (so a pulumi elsewhere on PATH is
 * never used), checked to be the version toolchain/versions.env pins.
 */
export function pinnedPulumi(): Promise<PulumiCommand> {
  if (!pulumiCommandMemo) {
    pulumiCommandMemo = (async () => {
      const { bin, pulumiVersion } = loadToolchain();
      // PulumiCommand runs <root>/bin/pulumi.
      if (path.basename(bin) !== "bin") {
        throw new Error(`TOOLCHAIN_BIN (${bin}) must be a folder named bin for PulumiCommand.get`);
      }
      const cmd = await PulumiCommand.get({ root: path.dirname(bin) });
      const actual = cmd.version?.version;
      if (pulumiVersion && actual !== pulumiVersion) {
        throw new Error(
          `${cmd.command} is version ${actual}, but toolchain/versions.env pins ${pulumiVersion}`,
        );
      }
      return cmd;
    })();
    // Do not memoise a failure: a later call may follow a bootstrap.
    pulumiCommandMemo.catch(() => (pulumiCommandMemo = undefined));
  }
  return pulumiCommandMemo;
}
