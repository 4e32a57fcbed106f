// What a run measured, as bench/results/latest.json holds it (schema 3), in milliseconds: the
// measurements only. Medians, ratios, targets and the chart are worked out when rendered, so
// `npm run bench -- --render` redraws a run. Also what a path is.

export interface Images {
  redis: string;
  node: string;
  probe: string;
  app: string;
}

/** One repetition of a path, in milliseconds since its start. */
export interface Rep {
  /** The up command(s) returned. */
  upMs: number;
  /** The app's /healthz answered 200 through the published port; null: no app. */
  firstOkMs: number | null;
  /** The tutorial's checks held; null: the path checks nothing. */
  verifiedMs: number | null;
  downMs: number;
  cycleMs: number;
  /** The cycle's steps in order, laid end to end. */
  steps: Record<string, number>;
  /** Pulumi paths: a second up with nothing to change, and its phases. */
  noopUpMs?: number;
  noopSteps?: Record<string, number>;
  /** Pulumi paths: the resource steps of the first up (end null: it never finished). */
  spans?: { name: string; startMs: number; endMs: number | null }[];
}

/** A way to do the tutorial; bench/main.ts lists them. */
export interface Path {
  id: string;
  label: string;
  /** Before the first repetition; returns a note for the report (a tool's version, a stack's name). */
  open?(images: Images): Promise<string>;
  /** One cycle from nothing to nothing. */
  run(images: Images): Promise<Rep>;
  /** Removes what open() made, also after a failure. */
  close?(): Promise<void>;
}

export interface Load {
  requests: number;
  requestsPerSec: number;
  p99Ms: number;
  /** Error responses (not 2xx/3xx) and socket errors. */
  errors: number;
}

/** The app then the ceiling; `counted`: how far the app's Redis counter rose during its run. */
export interface ThroughputRep {
  app: Load & { counted: number };
  ceiling: Load;
}

export interface BenchResults {
  schema: 3;
  startedAt: string;
  finishedAt: string;
  machine: {
    hostname: string;
    cpus: number;
    /** The 1-minute load average. */
    load: { start: number; end: number };
    node: string;
    docker: string;
    pulumi: string;
    wrk: string | null;
  };
  settings: {
    reps: number;
    images: Images;
    wrk: { threads: number; connections: number; durationS: number; warmupS: number };
  };
  /** The paths in the order they ran; the first is the baseline of the ratios. */
  paths: { id: string; label: string; note?: string; reps: Rep[] }[];
  throughput: ThroughputRep[] | null;
}
