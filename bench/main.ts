// `npm run bench`: the raw CLI path and the stack path, interleaved, then the app's throughput next
// to a plain Node.js ceiling. Prints the table on stdout (progress on stderr) and writes
// bench/results/<timestamp>.json, latest.json, latest.svg and latest.md. Everything it creates is
// named bench-* (stacks it-bench-*) and is removed at the end, also after a failure or Ctrl-C.
// bench/README.md explains the numbers.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { appSourceHash } from "../components/AppImage";
import { configDefault } from "../lib/config";
import {
  docker,
  leftovers,
  openStack,
  pinnedPulumi,
  progress,
  removeStack,
  REPO_ROOT,
  toolchainEnv,
} from "../tests/integration/harness";
import { renderChart } from "./chart";
import { exec, removeContainers } from "./exec";
import { BenchOptions, parseOptions, USAGE } from "./options";
import { RAW_NAMES, runRawPath } from "./raw";
import {
  BenchResults,
  CycleResults,
  RawRep,
  renderMarkdown,
  renderText,
  replaceSection,
  seconds,
  StackRep,
  summarizeCycle,
  summarizeThroughput,
  targetsOf,
  ThroughputRep,
  ThroughputResults,
} from "./report";
import { openBenchStack, runStackPath, STACK_NAME_PREFIX } from "./stack";
import { ensureWrk, runThroughputRep, THROUGHPUT_NAMES } from "./throughput";

/** The stack's images (its config defaults in Pulumi.yaml), used by both paths. */
const IMAGES = {
  redis: String(configDefault("redisImage")),
  probe: String(configDefault("probeImage")),
  node: String(configDefault("nodeImage")),
};
/** Host ports 3171-3179 and subnet 172.31.250.0/24 are the bench's own. */
const PORTS = { raw: 3171, stack: 3172, throughput: 3173 };
const SUBNET = "172.31.250.0/24";
const PREFIX = "bench-";
const APP_DIR = path.join(REPO_ROOT, "app");
const RESULTS_DIR = path.join(__dirname, "results");
const README = path.join(__dirname, "README.md");
const READY_TIMEOUT_MS = 60_000;
const BUILD_TIMEOUT_MS = 300_000;
const WARMUP_MAX_S = 2;

type Say = (line: string) => void;

/** What the clean-up has to remove. */
interface Created {
  stack?: Stack;
  appImage?: string;
}

// ---------------------------------------------------------------------------------------------------
// Setup and clean-up

async function checkImages(): Promise<void> {
  for (const image of Object.values(IMAGES)) {
    try {
      await docker(["image", "inspect", "--format", "{{.Id}}", image]);
    } catch {
      throw new Error(`image ${image} is missing: run npm run bootstrap (no registry is used)`);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes what an interrupted earlier run left: its stacks (it-bench-<pid>-*, when that process is
 * gone), then containers, networks and volumes named bench-*.
 */
async function clearEarlierRuns(say: Say): Promise<void> {
  const workspace = await LocalWorkspace.create({
    workDir: REPO_ROOT,
    envVars: toolchainEnv(),
    pulumiCommand: await pinnedPulumi(),
  });
  for (const { name } of await workspace.listStacks()) {
    const pid = Number(name.slice(STACK_NAME_PREFIX.length).split("-")[0]);
    if (name.startsWith(STACK_NAME_PREFIX) && Number.isInteger(pid) && !processAlive(pid)) {
      say(`removing stack ${name}, left by an earlier run`);
      await removeStack(await openStack({ workDir: REPO_ROOT, stackName: name }));
    }
  }
  const left = await leftovers(PREFIX);
  if (left.length > 0) {
    say(`removing what an earlier run left: ${left.join(", ")}`);
    const named = (kind: string) =>
      left.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1));
    await removeContainers(named("container"));
    for (const network of named("network")) await docker(["network", "rm", network]);
    for (const volume of named("volume")) await docker(["volume", "rm", volume]);
  }
}

/** The app image both paths run: app/ built once with the classic builder, tagged by its sources. */
async function buildAppImage(say: Say, created: Created): Promise<string> {
  const tag = `bench-app:${appSourceHash(APP_DIR)}`;
  say(`building ${tag} from app/ on ${IMAGES.node}`);
  created.appImage = tag;
  await exec(
    "docker",
    ["build", "--quiet", "--build-arg", `NODE_IMAGE=${IMAGES.node}`, "--tag", tag, APP_DIR],
    {
      timeoutMs: BUILD_TIMEOUT_MS,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    },
  );
  return tag;
}

let cleaning: Promise<string[]> | undefined;
/** Set by the first SIGINT/SIGTERM: the run stops before its next step, then cleans up. */
let interrupted: NodeJS.Signals | undefined;

function stopIfInterrupted(): void {
  if (interrupted) {
    throw new Error(`interrupted by ${interrupted}`);
  }
}

/** Removes everything the run created; returns the problems (empty when all went). Runs once. */
function cleanup(created: Created, say: Say): Promise<string[]> {
  cleaning ??= (async () => {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    say("cleaning up");
    await attempt("containers", () =>
      removeContainers([...Object.values(RAW_NAMES), ...Object.values(THROUGHPUT_NAMES)]),
    );
    if (created.stack) {
      const stack = created.stack;
      await attempt(`stack ${stack.name}`, () => removeStack(stack));
    }
    if (created.appImage) {
      const image = created.appImage;
      await attempt(`image ${image}`, async () => {
        const present = await exec("docker", ["image", "inspect", image], {
          timeoutMs: 30_000,
          allowFailure: true,
        });
        if (present.code === 0) await docker(["image", "rm", image]);
      });
    }
    await attempt("leftovers", async () => {
      const left = await leftovers(PREFIX);
      if (left.length > 0) throw new Error(`still present: ${left.join(", ")}`);
    });
    for (const p of problems) say(`clean-up problem: ${p}`);
    return problems;
  })();
  return cleaning;
}

// ---------------------------------------------------------------------------------------------------
// The phases

async function runCycle(
  options: BenchOptions,
  appImage: string,
  created: Created,
  say: Say,
): Promise<CycleResults> {
  const images = { ...IMAGES, app: appImage };
  created.stack = await openBenchStack({ images, port: PORTS.stack, subnet: SUBNET });
  say(`stack ${created.stack.name} (${SUBNET}, port ${PORTS.stack}); raw path on port ${PORTS.raw}`);
  const raw: RawRep[] = [];
  const stack: StackRep[] = [];
  for (let i = 1; i <= options.reps; i++) {
    const tag = `rep ${i}/${options.reps}`;
    stopIfInterrupted();
    say(`${tag} raw CLI path`);
    const r = await runRawPath({ images, port: PORTS.raw, readyTimeoutMs: READY_TIMEOUT_MS });
    raw.push(r);
    const steps = Object.entries(r.steps)
      .map(([id, ms]) => `${id} ${seconds(ms)}`)
      .join(", ");
    say(`${tag} raw: up+verify ${seconds(r.upVerifyMs)} s, total ${seconds(r.totalMs)} s (${steps})`);
    stopIfInterrupted();
    say(`${tag} stack path`);
    const s = await runStackPath(created.stack);
    stack.push(s);
    say(
      `${tag} stack: up ${seconds(s.upMs)} s, no-op up ${seconds(s.noopUpMs)} s, preview ${seconds(s.previewMs)} s, ` +
        `destroy ${seconds(s.destroyMs)} s`,
    );
  }
  return summarizeCycle(raw, stack);
}

async function runThroughput(options: BenchOptions, appImage: string, say: Say): Promise<ThroughputResults> {
  const reps: ThroughputRep[] = [];
  for (let i = 1; i <= options.reps; i++) {
    const tag = `throughput ${i}/${options.reps}`;
    stopIfInterrupted();
    reps.push(
      await runThroughputRep(
        {
          images: { redis: IMAGES.redis, node: IMAGES.node, app: appImage },
          port: PORTS.throughput,
          threads: options.threads,
          connections: options.connections,
          durationS: options.durationS,
          warmupS: Math.min(WARMUP_MAX_S, options.durationS),
          readyTimeoutMs: READY_TIMEOUT_MS,
        },
        (line) => say(`${tag} ${line}`),
      ),
    );
  }
  return summarizeThroughput(reps);
}

async function measure(options: BenchOptions, created: Created, say: Say): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg()[0];
  const [dockerVersion, pulumi] = await Promise.all([
    docker(["version", "--format", "{{.Server.Version}}"]),
    pinnedPulumi(),
  ]);
  await checkImages();
  await clearEarlierRuns(say);
  const wrkVersion = options.phases.includes("throughput") ? await ensureWrk(say) : null;
  const appImage = await buildAppImage(say, created);

  stopIfInterrupted();
  const cycle = options.phases.includes("cycle") ? await runCycle(options, appImage, created, say) : null;
  const throughput = options.phases.includes("throughput")
    ? await runThroughput(options, appImage, say)
    : null;
  const cpus = os.cpus();
  return {
    schema: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      hostname: os.hostname(),
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? "unknown",
      load: { start: loadStart, end: os.loadavg()[0] },
      node: process.version,
      docker: dockerVersion,
      pulumi: pulumi.version?.toString() ?? "unknown",
      wrk: wrkVersion,
    },
    settings: {
      reps: options.reps,
      images: { ...IMAGES, app: appImage },
      ports: PORTS,
      stackName: created.stack?.name ?? null,
      wrk: {
        threads: options.threads,
        connections: options.connections,
        durationS: options.durationS,
        warmupS: Math.min(WARMUP_MAX_S, options.durationS),
      },
    },
    cycle,
    throughput,
    targets: targetsOf(cycle, throughput),
  };
}

/** Writes a file through a .tmp sibling, so a reader never sees half of it. */
function writeFile(file: string, content: string): void {
  fs.writeFileSync(`${file}.tmp`, content);
  fs.renameSync(`${file}.tmp`, file);
}

function writeResults(results: BenchResults, options: BenchOptions, say: Say): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = results.startedAt.replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
  const json = JSON.stringify(results, null, 2) + "\n";
  writeFile(path.join(RESULTS_DIR, `${stamp}.json`), json);
  writeFile(path.join(RESULTS_DIR, "latest.json"), json);
  writeFile(path.join(RESULTS_DIR, "latest.svg"), renderChart(results));
  writeFile(path.join(RESULTS_DIR, "latest.md"), renderMarkdown(results));
  say(`wrote ${path.relative(REPO_ROOT, RESULTS_DIR)}/{${stamp}.json,latest.json,latest.svg,latest.md}`);
  if (options.updateReadme) {
    writeFile(README, replaceSection(fs.readFileSync(README, "utf8"), renderMarkdown(results)));
    say(`updated the performance section of ${path.relative(REPO_ROOT, README)}`);
  }
}

/** Runs the bench; resolves to the exit code (0: measured, the counter checks held). */
export async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const say = progress("bench");
  const created: Created = {};
  const exitCode = (signal: NodeJS.Signals) => (signal === "SIGINT" ? 130 : 143);
  // Ctrl-C reaches the Pulumi CLI too, which cancels its operation; the run then fails its step and
  // cleans up. A signal to this process alone lets the current step finish first. A second signal
  // cleans up at once.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupted) {
      interrupted = signal;
      say(`${signal} received: stopping after the current step, then cleaning up (again: clean up now)`);
      return;
    }
    say(`${signal} received again: cleaning up now`);
    void cleanup(created, say).finally(() => process.exit(exitCode(interrupted ?? signal)));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // fetch (the harness's httpGet) to a published port whose container does not listen yet holds
  // only unref'd handles (undici's socket, AbortSignal.timeout's timer): with nothing else pending,
  // Node would exit mid-wait with code 0. This timer keeps the process alive until main returns.
  const keepAlive = setInterval(() => undefined, 60_000);
  let code = 0;
  try {
    const results = await measure(options, created, say);
    writeResults(results, options, say);
    process.stdout.write(renderText(results));
    if (results.throughput && !results.throughput.counterOk) {
      say("the app's counter did not match what wrk reported (see above)");
      code = 1;
    }
  } catch (e) {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    say(interrupted ? `stopped (${interrupted}): ${message.split("\n")[0]}` : `failed: ${message}`);
    code = 1;
  } finally {
    const problems = await cleanup(created, say);
    if (problems.length > 0) code = code || 1;
    clearInterval(keepAlive);
  }
  return interrupted ? exitCode(interrupted) : code;
}
