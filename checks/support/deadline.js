// @ts-check
// Bounded waiting: every wait of a check runs against one deadline, and retries back off a little.

/** Pause between attempts: doubles from the first value up to the second. */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 1000;

/**
 * @typedef {object} Deadline
 * @property {number} seconds the bound it was made with
 * @property {() => number} remaining milliseconds left, never negative
 * @property {() => boolean} expired
 */

/**
 * @param {number} seconds
 * @returns {Deadline}
 */
function deadlineIn(seconds) {
  const end = Date.now() + seconds * 1000;
  return {
    seconds,
    remaining: () => Math.max(0, end - Date.now()),
    expired: () => Date.now() >= end,
  };
}

/** @param {string} line */
function progress(line) {
  process.stderr.write(`[check] ${line}\n`);
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `attempt` until it succeeds or the deadline passes (always at least once), pausing a little
 * longer each time. `attempt` returns `{ value }` on success or `{ retry: reason }`; it throws for
 * failures that waiting cannot fix. On timeout, `onTimeout(lastReason, attempts)` gives the error.
 * @template T
 * @param {Deadline} deadline
 * @param {() => Promise<{ value: T } | { retry: string }>} attempt
 * @param {(lastReason: string, attempts: number) => Error} onTimeout
 * @returns {Promise<T>}
 */
async function retryUntil(deadline, attempt, onTimeout) {
  let pause = RETRY_FIRST_MS;
  /** @type {string | undefined} */
  let announced;
  for (let attempts = 1; ; attempts++) {
    const outcome = await attempt();
    if ("value" in outcome) return outcome.value;
    if (deadline.expired()) throw onTimeout(outcome.retry, attempts);
    if (outcome.retry !== announced) progress(`not yet: ${outcome.retry}; retrying`);
    announced = outcome.retry;
    await sleep(Math.min(pause, deadline.remaining()));
    // No attempt in the last instant: it could not finish, and would hide the last real answer.
    if (deadline.expired()) throw onTimeout(outcome.retry, attempts);
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  }
}

module.exports = { deadlineIn, progress, retryUntil };
