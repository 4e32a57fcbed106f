// `npm run bench`: the tutorial done each way in PATHS, interleaved repetition by repetition, then
// the app's throughput next to a plain Node.js server. Writes latest.json, latest.md (printed too)
// and latest.svg into bench/results or --out. Everything it makes is named bench-* (stacks
// it-bench-*) and is removed at the end, also after a failure or Ctrl-C. docs/performance.md explains it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { docker, pinnedPulumi, progress } from "../harness";
import { renderChart } from "./chart";
import { composePath } from "./compose";
import { containersPath } from "./containers";
import { rawPath } from "./raw";
import { renderMarkdown } from "./report";
import { BenchResults, Path, ThroughputRep } from "./results";
import { prepareImages, removeLeftovers, Say } from "./setup";
import { stackPath } from "./stack";
import { floorPath } from "./floor";
import { plainPath } from "./plain";
import { runThroughputRep, WRK, wrkVersion } from "./throughput";
import { counterProblems } from "./wrk";

/** The ways to do the tutorial, in the order each repetition runs them; the first is the ratios' baseline. */
const PATHS: Path[] = [rawPath, composePath, containersPath, floorPath, plainPath, stackPath];

const USAGE = `Usage: npm run bench -- [options]
  --reps N       repetitions of each path, interleaved, and of the throughput pairs (default 5)
  --duration S   seconds of each measured wrk run (default 10)
  --only PHASE   cycle (the paths) or throughput (wrk)
  --out DIR      where latest.json, latest.md and latest.svg go (default bench/results)
  --render       run nothing: redraw latest.md and latest.svg from DIR/latest.json`;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      reps: { type: "string", default: "5" },
      duration: { type: "string", default: "10" },
      only: { type: "string", default: "" },
      out: { type: "string", default: path.join(__dirname, "results") },
      render: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const integer = (flag: string, text: string, max: number) => {
    if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= max) return Number(text);
    throw new Error(`--${flag} needs an integer from 1 to ${max}, got ${text}`);
  };
  if (!["", "cycle", "throughput"].includes(values.only)) throw new Error("--only needs cycle or throughput");
  return {
    ...values,
    reps: integer("reps", values.reps, 50),
    durationS: integer("duration", values.duration, 600),
    cycle: values.only !== "throughput",
    throughput: values.only !== "cycle",
  };
}
type Options = ReturnType<typeof parseOptions>;

let interrupted: NodeJS.Signals | undefined;
function stopIfInterrupted(): void {
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
}

async function measure(o: Options, opened: Path[], say: Say): Promise<BenchResults> {
  const [startedAt, loadStart] = [new Date().toISOString(), os.loadavg()[0]];
  const images = await prepareImages(say);
  const paths: BenchResults["paths"] = [];
  for (const p of o.cycle ? PATHS : []) {
    opened.push(p);
    paths.push({ id: p.id, label: p.label, note: await p.open?.(images), reps: [] });
  }
  await removeLeftovers(say); // what an interrupted earlier run left
  for (let i = 1; o.cycle && i <= o.reps; i++) {
    for (const [j, p] of PATHS.entries()) {
      stopIfInterrupted();
      const rep = await p.run(images);
      paths[j].reps.push(rep);
      say(`rep ${i}/${o.reps} ${p.label}: full cycle ${Math.round(rep.cycleMs)} ms`);
    }
  }
  const throughput: ThroughputRep[] | null = o.throughput ? [] : null;
  for (let i = 1; throughput && i <= o.reps; i++) {
    stopIfInterrupted();
    const tell = (line: string) => say(`throughput ${i}/${o.reps} ${line}`);
    throughput.push(await runThroughputRep(images, o.durationS, tell));
  }
  return {
    schema: 3,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      hostname: os.hostname(),
      cpus: os.cpus().length,
      load: { start: loadStart, end: os.loadavg()[0] },
      node: process.version,
      docker: await docker(["version", "--format", "{{.Server.Version}}"]),
      pulumi: String((await pinnedPulumi()).version),
      wrk: o.throughput ? await wrkVersion() : null,
    },
    settings: {
      reps: o.reps,
      images,
      wrk: { ...WRK, durationS: o.durationS, warmupS: Math.min(WRK.warmupS, o.durationS) },
    },
    paths,
    throughput,
  };
}

/** Writes latest.md, latest.svg and, when given, latest.json; returns the Markdown. */
async function write(dir: string, results: BenchResults, json?: string): Promise<string> {
  const markdown = renderMarkdown(results);
  fs.mkdirSync(dir, { recursive: true });
  if (json) fs.writeFileSync(path.join(dir, "latest.json"), json);
  fs.writeFileSync(path.join(dir, "latest.md"), markdown);
  fs.writeFileSync(path.join(dir, "latest.svg"), await renderChart(results));
  return markdown;
}

/** Closes the opened paths and removes every bench-* object; false when something stayed. */
async function cleanup(opened: Path[], say: Say): Promise<boolean> {
  const problems: string[] = [];
  const failed = (what: string) => (e: Error) => void problems.push(`${what}: ${e.message}`);
  for (const p of opened) await p.close?.().catch(failed(p.id));
  const left = await removeLeftovers(say).catch((e: Error) => [e.message]);
  if (left.length > 0) problems.push(`still present: ${left.join(", ")}`);
  for (const problem of problems) say(`clean-up problem: ${problem}`);
  return problems.length === 0;
}

/** Runs the bench; resolves to the exit code (0: measured, and every check held). */
export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (o.help) return (console.log(USAGE), 0);
  if (o.render) {
    const results = JSON.parse(fs.readFileSync(path.join(o.out, "latest.json"), "utf8")) as BenchResults;
    if (results.schema !== 3) throw new Error(`${o.out}/latest.json is schema ${results.schema}, not 3`);
    process.stdout.write(await write(o.out, results));
    return 0;
  }
  const say = progress("bench");
  const opened: Path[] = [];
  // Ctrl-C reaches the Pulumi CLI too, which cancels its operation: the step fails. A signal to this
  // process alone lets the step finish. Either way the run stops and cleans up; a second signal
  // stops it at once (the next run removes what is left).
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    say(`${signal}: stopping after this step, then cleaning up (again: stop at once)`);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // A fetch to a published port nobody listens on yet holds only unref'd handles: Node would exit
  // mid-wait with code 0. This keeps it alive until main returns.
  const keepAlive = setInterval(() => undefined, 60_000);
  let code = 0;
  try {
    const results = await measure(o, opened, say);
    const round = (_: string, v: unknown) => (typeof v === "number" ? Math.round(v * 100) / 100 : v);
    const json = JSON.stringify(results, round, 2) + "\n";
    // Rendered from the JSON as written, so that --render redraws exactly this.
    process.stdout.write(await write(o.out, JSON.parse(json) as BenchResults, json));
    say(`wrote ${o.out}/latest.{json,md,svg}`);
    if (results.throughput?.some((x) => counterProblems(x.app, WRK.connections).length > 0)) code = 1;
  } catch (e) {
    say(`failed: ${(e as Error).stack ?? String(e)}`);
    code = 1;
  } finally {
    if (!(await cleanup(opened, say))) code ||= 1;
    clearInterval(keepAlive);
  }
  return interrupted === "SIGINT" ? 130 : interrupted ? 143 : code;
}
