// Command-line options of `npm run bench -- [options]`. Pure: parsing only.

export type Phase = "cycle" | "throughput";

export interface BenchOptions {
  /** Repetitions of each path (and of each throughput pair). */
  reps: number;
  /** Phases to run, in this order: the deploy cycle (raw and stack, interleaved), then throughput. */
  phases: Phase[];
  /** wrk's measured run, in seconds, after a warm-up of min(2, duration) seconds. */
  durationS: number;
  connections: number;
  threads: number;
  /** Pin wrk and the measured containers to separate CPUs (off by default: on a shared machine it made the figure less steady). */
  pin: boolean;
  /** Run one more, untimed, stack cycle with process timings for the profile. */
  profile: boolean;
  /** Rewrite the performance section of bench/README.md from this run. */
  updateReadme: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]
  --reps N          repetitions of each path, interleaved (default 5, at least 1)
  --only PHASE      run one phase only: cycle (raw CLI, compose, stack) or throughput (wrk)
  --duration S      seconds of each measured wrk run (default 10)
  --connections N   wrk connections (default 50)
  --threads N       wrk threads (default 2)
  --pin             wrk on CPU 1, the measured containers on CPU 0 (default: both share both CPUs)
  --no-profile      skip the extra profiled stack cycle (process timings)
  --update-readme   write this run's results into bench/README.md's performance section
  --help            this text`;

const DEFAULTS: BenchOptions = {
  reps: 5,
  phases: ["cycle", "throughput"],
  durationS: 10,
  connections: 50,
  threads: 2,
  pin: false,
  profile: true,
  updateReadme: false,
  help: false,
};

function integer(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new Error(`${flag} needs an integer from ${min} to ${max}, got ${JSON.stringify(value ?? null)}`);
  }
  return Number(value);
}

/** Parses `--flag value` and `--flag=value`; throws on anything unknown or out of range. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS, phases: [...DEFAULTS.phases] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s) : [argv[i]];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--reps":
        options.reps = integer(flag, value(), 1, 50);
        break;
      case "--duration":
        options.durationS = integer(flag, value(), 1, 600);
        break;
      case "--connections":
        options.connections = integer(flag, value(), 1, 10_000);
        break;
      case "--threads":
        options.threads = integer(flag, value(), 1, 64);
        break;
      case "--only": {
        const phase = value();
        if (phase !== "cycle" && phase !== "throughput") {
          throw new Error(`--only needs cycle or throughput, got ${JSON.stringify(phase ?? null)}`);
        }
        options.phases = [phase];
        break;
      }
      case "--pin":
        options.pin = true;
        break;
      case "--no-profile":
        options.profile = false;
        break;
      case "--update-readme":
        options.updateReadme = true;
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(argv[i])}\n${USAGE}`);
    }
  }
  if (options.threads > options.connections) {
    throw new Error(
      `--threads (${options.threads}) cannot exceed --connections (${options.connections}): wrk needs a connection per thread`,
    );
  }
  return options;
}
