// `npm run bench`: the tutorial three ways, interleaved (raw CLI, docker compose, the stack), one
// more profiled stack cycle, then the app's throughput next to a plain Node.js ceiling. Prints the
// three-way table on stdout (progress on stderr) and writes bench/results/<timestamp>.json,
// latest.json, latest.md and latest.svg. Everything it creates is named bench-* (stacks it-bench-*)
// and is removed at the end, also after a failure or Ctrl-C. bench/README.md explains the numbers.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { docker, pinnedPulumi, progress, REPO_ROOT, removeStack } from "../harness";
import { renderChart } from "./chart";
import { composeDown } from "./compose";
import { removeContainers } from "./exec";
import { replaceSection } from "./format";
import { BenchOptions, parseOptions, USAGE } from "./options";
import { RAW_NAMES } from "./raw";
import { renderMarkdown, renderText } from "./report";
import { BenchResults, buildProfile, targetsOf } from "./results";
import { Created, PORTS, READY_TIMEOUT_MS, runCycle, runThroughput, WARMUP_MAX_S } from "./runs";
import {
  benchImages,
  buildAppImage,
  checkImages,
  clearEarlierRuns,
  ensureCompose,
  ensureWrk,
  removeLeftovers,
} from "./setup";
import { THROUGHPUT_NAMES } from "./throughput";

const RESULTS_DIR = path.join(__dirname, "results");
const README = path.join(__dirname, "README.md");

type Say = (line: string) => void;

let interrupted: NodeJS.Signals | undefined;

function stopIfInterrupted(): void {
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
}

let cleaning: Promise<string[]> | undefined;
/** Removes everything the run created; returns the problems (empty when all went). Runs once. */
function cleanup(created: Created, images: { redis: string; app: string } | undefined, say: Say) {
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
    if (created.compose && images) {
      const command = created.compose;
      await attempt("compose", () =>
        composeDown({ command, images, port: PORTS.compose, readyTimeoutMs: READY_TIMEOUT_MS }),
      );
    }
    if (created.stack) {
      const stack = created.stack;
      await attempt(`stack ${stack.name}`, () => removeStack(stack));
    }
    await attempt("leftovers", async () => {
      const left = await removeLeftovers(say);
      if (left.length > 0) throw new Error(`still present: ${left.join(", ")}`);
    });
    for (const p of problems) say(`clean-up problem: ${p}`);
    return problems;
  })();
  return cleaning;
}

async function measure(
  options: BenchOptions,
  created: Created,
  say: Say,
  use: (i: { redis: string; app: string }) => void,
): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg()[0];
  const [dockerVersion, pulumi] = await Promise.all([
    docker(["version", "--format", "{{.Server.Version}}"]),
    pinnedPulumi(),
  ]);
  const base = benchImages();
  await checkImages(base);
  await clearEarlierRuns(say);
  const runsCycle = options.phases.includes("cycle");
  const runsThroughput = options.phases.includes("throughput");
  const wrkVersion = runsThroughput ? await ensureWrk(say) : null;
  const compose = runsCycle ? await ensureCompose(say) : null;
  const images = { ...base, app: await buildAppImage(base.node, say) };
  use(images);

  const measured = runsCycle
    ? await runCycle(options, images, compose, created, say, stopIfInterrupted)
    : null;
  const throughput = runsThroughput ? await runThroughput(options, images, say, stopIfInterrupted) : null;
  const cycle = measured?.cycle ?? null;
  const cpus = os.cpus();
  return {
    schema: 2,
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
      images,
      ports: PORTS,
      stackName: created.stack?.name ?? null,
      wrk: {
        threads: options.threads,
        connections: options.connections,
        durationS: options.durationS,
        warmupS: Math.min(WARMUP_MAX_S, options.durationS),
        pinned: options.pin,
      },
    },
    cycle,
    profile: measured ? buildProfile(measured.cycle, measured.process) : null,
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

/** Runs the bench; resolves to the exit code (0: measured, and every check held). */
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
  let images: { redis: string; app: string } | undefined;
  const exitCode = (signal: NodeJS.Signals) => (signal === "SIGINT" ? 130 : 143);
  // Ctrl-C reaches the Pulumi CLI too, which cancels its operation; the run then fails its step and
  // cleans up. A signal to this process alone lets the current step finish first. A second one
  // cleans up at once.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupted) {
      interrupted = signal;
      say(`${signal} received: stopping after the current step, then cleaning up (again: clean up now)`);
      return;
    }
    say(`${signal} received again: cleaning up now`);
    void cleanup(created, images, say).finally(() => process.exit(exitCode(interrupted ?? signal)));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // fetch to a published port whose container does not listen yet holds only unref'd handles: with
  // nothing else pending, Node would exit mid-wait with code 0. This keeps it alive until main returns.
  const keepAlive = setInterval(() => undefined, 60_000);
  let code = 0;
  try {
    const results = await measure(options, created, say, (i) => (images = i));
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
    const problems = await cleanup(created, images, say);
    if (problems.length > 0) code = code || 1;
    clearInterval(keepAlive);
  }
  return interrupted ? exitCode(interrupted) : code;
}
