// What `wrk --latency` prints, and the check of the app's Redis counter after a measured run. Pure.
import { Load, ThroughputRep } from "./results";

const UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A wrk time ("850.00us", "5.10ms", "1.20s", "2.00m") in milliseconds. */
export function parseWrkTime(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`not a wrk time: ${JSON.stringify(text)}`);
  return Number(m[1]) * UNITS_MS[m[2]];
}

/** Completed requests, their rate, the 99th percentile and the errors; throws naming a missing line. */
export function parseWrk(output: string): Load {
  const need = (re: RegExp, what: string) => {
    const m = re.exec(output);
    if (!m) throw new Error(`wrk output has no ${what}:\n${output.trim()}`);
    return m[1];
  };
  // wrk prints these two lines only when there were such errors.
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(need(/^\s*(\d+) requests in /m, '"N requests in T" line')),
    requestsPerSec: Number(need(/^Requests\/sec:\s+([\d.]+)/m, '"Requests/sec:" line')),
    p99Ms: parseWrkTime(need(/^\s*99(?:\.0+)?%\s+(\S+)\s*$/m, "99% latency (--latency)")),
    errors: [non2xx?.[1], ...(socket?.slice(1) ?? [])].reduce((sum, n) => sum + Number(n ?? 0), 0),
  };
}

/**
 * Why the app's counter does not match what wrk did; empty when it does. wrk stops at its deadline
 * with a request in flight on (nearly) every connection, which the app answers and counts but wrk
 * never reads: so the counter rises by the completed requests plus 0 to `connections`.
 */
export function counterProblems(app: ThroughputRep["app"], connections: number): string[] {
  const [inFlight, problems] = [app.counted - app.requests, [] as string[]];
  if (app.errors > 0) problems.push(`${app.errors} error responses or socket errors`);
  const rose = `the counter rose by ${app.counted}`;
  if (inFlight < 0) problems.push(`${rose}, less than the ${app.requests} completed`);
  if (inFlight > connections) problems.push(`${rose}: more than ${app.requests} + ${connections} in flight`);
  return problems;
}
