// Summaries of repeated measurements, ratios between paths and the targets. Pure.

/** Median, quartiles, min and max of repeated measurements (milliseconds, or requests/s). */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between the sorted values). */
  q1: number;
  q3: number;
}

/** The value at fraction `p` (0..1) of the sorted values, interpolating between neighbours. */
function quantile(sorted: readonly number[], p: number): number {
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
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
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
  };
}

/** The interquartile range over the median: how far apart the middle half of the runs lie. */
export function relativeSpread(s: Summary): number {
  return s.median === 0 ? NaN : (s.q3 - s.q1) / s.median;
}

/** numerator / denominator of the medians; NaN when the denominator's median is 0. */
export function ratio(numerator: Summary, denominator: Summary): number {
  return denominator.median === 0 ? NaN : numerator.median / denominator.median;
}

/**
 * Pair by pair ratios of runs made one after the other (a[i] / b[i]): each pair saw the same load,
 * so their spread says how steady the ratio is, whatever the machine did between pairs.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) {
    throw new RangeError(`paired runs differ in number: ${a.length} and ${b.length}`);
  }
  return a.map((x, i) => (b[i] === 0 ? NaN : x / b[i])).filter(Number.isFinite);
}

/** The index of the run whose value is the median (the lower middle one for an even count). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((v, i) => ({ v, i })).sort((x, y) => x.v - y.v);
  return order[Math.floor((order.length - 1) / 2)].i;
}

// ---------------------------------------------------------------------------------------------------
// Targets

/** The targets, as ratios measured in one run. */
export const TARGETS = {
  fullCycle: { limit: 2, comparison: "<=", description: "full cycle: stack / raw CLI" },
  vsCompose: { limit: 1, comparison: "<", description: "full cycle: stack / docker compose" },
  noopUp: {
    limit: 1.25,
    comparison: "<=",
    description: "no-op up (refresh included) / raw CLI up-to-verified",
  },
  throughput: { limit: 0.85, comparison: ">=", description: "app requests/s / plain Node.js ceiling" },
} as const;

export type TargetId = keyof typeof TARGETS;

export interface TargetResult {
  id: TargetId;
  description: string;
  comparison: "<=" | "<" | ">=";
  limit: number;
  /** The measured ratio; null when its phase was not run. */
  value: number | null;
  /** null when not measured; a NaN ratio is a miss. */
  pass: boolean | null;
}

/** Each target with its measured ratio. */
export function evaluateTargets(measured: Partial<Record<TargetId, number>>): TargetResult[] {
  return (Object.keys(TARGETS) as TargetId[]).map((id) => {
    const { limit, comparison, description } = TARGETS[id];
    const value = measured[id];
    if (value === undefined) return { id, description, comparison, limit, value: null, pass: null };
    const pass = comparison === "<=" ? value <= limit : comparison === "<" ? value < limit : value >= limit;
    return { id, description, comparison, limit, value, pass };
  });
}
