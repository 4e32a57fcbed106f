// The benchmark's numbers, without I/O: summaries of repeated timings, the stack / raw ratios and
// the targets, what wrk prints, the counter check after a load run, and the `pulumi up`
// timeline from engine events. bench/report.ts turns these into the table, the JSON and the chart.

/** Median, min and max of repeated measurements (milliseconds, or requests/s). */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** The median is the middle value, or the mean of the two middle values for an even count. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    throw new RangeError("cannot summarize an empty list of measurements");
  }
  if (values.some((v) => !Number.isFinite(v))) {
    throw new RangeError(`measurements must be finite numbers, got ${JSON.stringify(values)}`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n, median, min: sorted[0], max: sorted[n - 1] };
}

/** numerator / denominator of the medians; NaN when the denominator's median is 0. */
export function ratio(numerator: Summary, denominator: Summary): number {
  return denominator.median === 0 ? NaN : numerator.median / denominator.median;
}

// ---------------------------------------------------------------------------------------------------
// Targets

/** The targets, as ratios measured in one run. */
export const TARGET_LIMITS = {
  /** Stack `up` (to verified outputs) + `destroy`, over the raw path's whole cycle. */
  fullCycle: 3,
  /** A no-op `pulumi up`, over the raw path's up-and-verify. */
  noopUp: 1.5,
  /** The app's requests/s, over the plain Node.js server's. */
  throughput: 0.8,
} as const;

export type TargetId = keyof typeof TARGET_LIMITS;

export interface TargetResult {
  id: TargetId;
  /** e.g. "full cycle (stack up + destroy) / raw CLI cycle". */
  description: string;
  comparison: "<=" | ">=";
  limit: number;
  /** The measured ratio; null when its phase was not run. */
  value: number | null;
  /** null when not measured. */
  pass: boolean | null;
}

const TARGET_TEXT: Record<TargetId, { description: string; comparison: "<=" | ">=" }> = {
  fullCycle: { description: "full cycle: stack (up to verified + destroy) / raw CLI", comparison: "<=" },
  noopUp: { description: "no-op pulumi up / raw CLI up-and-verify", comparison: "<=" },
  throughput: { description: "app requests/s / plain Node.js ceiling", comparison: ">=" },
};

/** Each target with its measured ratio (a NaN ratio counts as a miss). */
export function evaluateTargets(measured: Partial<Record<TargetId, number>>): TargetResult[] {
  return (Object.keys(TARGET_LIMITS) as TargetId[]).map((id) => {
    const { description, comparison } = TARGET_TEXT[id];
    const limit = TARGET_LIMITS[id];
    const value = measured[id];
    if (value === undefined) {
      return { id, description, comparison, limit, value: null, pass: null };
    }
    const pass = comparison === "<=" ? value <= limit : value >= limit;
    return { id, description, comparison, limit, value, pass };
  });
}

// ---------------------------------------------------------------------------------------------------
// wrk

export interface WrkResult {
  /** Completed requests ("N requests in 10.01s"). */
  requests: number;
  durationMs: number;
  requestsPerSec: number;
  /** From `--latency`'s distribution. */
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
  /** "Non-2xx or 3xx responses" (0 when wrk prints no such line); wrk counts statuses above 399. */
  errorResponses: number;
  /** "Socket errors: connect 0, read 0, write 0, timeout 0" (all 0 when wrk prints no such line). */
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

const WRK_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A wrk time ("850.00us", "5.10ms", "1.20s", "2.00m") in milliseconds. */
export function parseWrkTime(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) {
    throw new Error(`not a wrk time: ${JSON.stringify(text)}`);
  }
  return Number(m[1]) * WRK_UNITS_MS[m[2]];
}

/** A wrk size ("484.19KB", "20.12MB", "512B") is not needed; counts may carry k/M suffixes. */
function wrkNumber(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kMG]?)$/.exec(text);
  if (!m) {
    throw new Error(`not a wrk number: ${JSON.stringify(text)}`);
  }
  return Number(m[1]) * ({ "": 1, k: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]];
}

/** What `wrk --latency` prints; throws naming the first line it needs and cannot find. */
export function parseWrk(output: string): WrkResult {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(output);
    if (!m) {
      throw new Error(`wrk output has no ${what}:\n${output.trim()}`);
    }
    return m;
  };
  const total = need(/^\s*(\d+) requests in (\S+),/m, '"N requests in T" line');
  const rate = need(/^Requests\/sec:\s+(\S+)/m, '"Requests/sec:" line');
  const percentile = (p: number) =>
    parseWrkTime(
      need(new RegExp(`^\\s*${p}(?:\\.0+)?%\\s+(\\S+)\\s*$`, "m"), `${p}% latency (--latency)`)[1],
    );
  const errors = /^\s*Non-2xx or 3xx responses:\s+(\d+)/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(total[1]),
    durationMs: parseWrkTime(total[2]),
    requestsPerSec: wrkNumber(rate[1]),
    latencyMs: { p50: percentile(50), p75: percentile(75), p90: percentile(90), p99: percentile(99) },
    errorResponses: errors ? Number(errors[1]) : 0,
    socketErrors: socket
      ? {
          connect: Number(socket[1]),
          read: Number(socket[2]),
          write: Number(socket[3]),
          timeout: Number(socket[4]),
        }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

// ---------------------------------------------------------------------------------------------------
// The counter check after a load run

export interface CounterCheck {
  /** Redis `GET requests` before and after the measured wrk run. */
  before: number;
  after: number;
  /** after - before: requests the app counted. */
  counted: number;
  /** Requests wrk completed. */
  completed: number;
  /**
   * counted - completed. wrk stops at its deadline with one request in flight on (nearly) every
   * connection: the app answers and counts those, wrk never reads the answers. So 0..connections.
   */
  inFlightAtStop: number;
  ok: boolean;
  /** Why the check failed; empty when ok. */
  problems: string[];
}

/**
 * Every request wrk completed was a 2xx and was counted once: no error responses, no socket
 * errors, and the counter rose by exactly the completed requests plus those still in flight when
 * wrk stopped (at most one per connection).
 */
export function checkCounter(
  before: number,
  after: number,
  wrk: WrkResult,
  connections: number,
): CounterCheck {
  const counted = after - before;
  const inFlightAtStop = counted - wrk.requests;
  const problems: string[] = [];
  if (wrk.errorResponses > 0) {
    problems.push(`${wrk.errorResponses} responses were not 2xx/3xx`);
  }
  const { connect, read, write, timeout } = wrk.socketErrors;
  if (connect + read + write + timeout > 0) {
    problems.push(`socket errors: connect ${connect}, read ${read}, write ${write}, timeout ${timeout}`);
  }
  if (inFlightAtStop < 0) {
    problems.push(`the counter rose by ${counted}, less than the ${wrk.requests} requests wrk completed`);
  } else if (inFlightAtStop > connections) {
    problems.push(
      `the counter rose by ${counted}: ${inFlightAtStop} more than the ${wrk.requests} requests wrk ` +
        `completed, but at most ${connections} (one per connection) can be in flight when wrk stops`,
    );
  }
  return {
    before,
    after,
    counted,
    completed: wrk.requests,
    inFlightAtStop,
    ok: problems.length === 0,
    problems,
  };
}

// ---------------------------------------------------------------------------------------------------
// The `pulumi up` timeline

/** One engine event as the bench records it: milliseconds since the operation was started. */
export interface TimelineEvent {
  ms: number;
  kind: "prelude" | "pre" | "outputs" | "failed" | "summary";
  urn?: string;
  type?: string;
  op?: string;
}

export interface ResourceSpan {
  /** The resource's name (the last part of its URN). */
  name: string;
  type: string;
  op: string;
  startMs: number;
  /** null when the resource never finished (failed, or the stream ended). */
  endMs: number | null;
}

export interface TimelineSummary {
  /** The engine's first event (the CLI has started, read the state and loaded the project). */
  preludeMs: number | null;
  /** The program's first resource registration (language host started, program compiled and run). */
  firstResourceMs: number | null;
  /** The last resource finished. */
  lastResourceMs: number | null;
  /** The engine's summary (the update is over; the CLI still has to exit). */
  summaryMs: number | null;
  /** The operation returned to the bench. */
  endMs: number;
  /** Custom resources and providers (not the stack or components, which span their children). */
  spans: ResourceSpan[];
}

function urnName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}

/** Component types are this project's `container-links:<module>:<Name>`; the stack is pulumi:pulumi:Stack. */
function isWrapper(type: string): boolean {
  return type === "pulumi:pulumi:Stack" || type.startsWith("container-links:");
}

export function summarizeTimeline(events: readonly TimelineEvent[], endMs: number): TimelineSummary {
  const first = (kind: TimelineEvent["kind"]) => events.find((e) => e.kind === kind)?.ms ?? null;
  const spans = new Map<string, ResourceSpan>();
  let lastResourceMs: number | null = null;
  for (const e of events) {
    if (e.urn === undefined || e.type === undefined || isWrapper(e.type)) {
      continue;
    }
    if (e.kind === "pre" && !spans.has(e.urn)) {
      spans.set(e.urn, { name: urnName(e.urn), type: e.type, op: e.op ?? "", startMs: e.ms, endMs: null });
    } else if (e.kind === "outputs") {
      const span = spans.get(e.urn);
      if (span) {
        span.endMs = e.ms;
      }
      lastResourceMs = Math.max(lastResourceMs ?? 0, e.ms);
    }
  }
  return {
    preludeMs: first("prelude"),
    firstResourceMs: first("pre"),
    lastResourceMs,
    summaryMs: first("summary"),
    endMs,
    spans: [...spans.values()].sort((a, b) => a.startMs - b.startMs),
  };
}
