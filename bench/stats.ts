// Summaries of repeated measurements and ratios between them. Pure.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles, interpolated between the sorted values. */
  q1: number;
  q3: number;
}

/** The value at fraction `p` of the sorted values, interpolating between neighbours. */
function quantile(sorted: readonly number[], p: number): number {
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.ceil(at)] - sorted[lo]) * (at - lo);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) {
    throw new RangeError(`cannot summarize ${JSON.stringify(values)}: finite numbers needed`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const [median, q1, q3] = [0.5, 0.25, 0.75].map((p) => quantile(sorted, p));
  return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1], q1, q3 };
}

/** The interquartile range over the median: how far apart the middle half of the runs lie. */
export function spread(s: Summary): number {
  return (s.q3 - s.q1) / s.median;
}

/** The ratio of the medians; NaN over a median of 0. */
export function ratio(numerator: Summary, denominator: Summary): number {
  return denominator.median === 0 ? NaN : numerator.median / denominator.median;
}

/**
 * a[i] / b[i] of runs made one after the other: each pair saw the same load, so their spread says
 * how steady the ratio is, whatever the machine did between pairs. Zero denominators are skipped.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`paired runs differ in number: ${a.length}, ${b.length}`);
  return a.flatMap((x, i) => (b[i] === 0 ? [] : [x / b[i]]));
}

/** The index of the run whose value is the median (the lower middle one for an even count). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((v, i) => [v, i]).sort((x, y) => x[0] - y[0]);
  return order[Math.floor((order.length - 1) / 2)][1];
}
