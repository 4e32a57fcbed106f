// What `wrk --latency` prints, and the check of the app's Redis counter after a load run. Pure.

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
