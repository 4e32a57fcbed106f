// @ts-check
// The two ways a check ends without a result: it saw something else than expected (CheckFailure,
// exit 1), or it was called wrongly (UsageError, exit 2).

/** The check ran and did not see what it expected. */
class CheckFailure extends Error {
  /**
   * @param {string} summary what went wrong, in a few words
   * @param {{ expected: string, seen: string, details?: string[], container?: string, data?: Record<string, unknown> }} facts
   *   container: whose logs explain the failure
   */
  constructor(summary, facts) {
    super(summary);
    this.name = "CheckFailure";
    this.expected = facts.expected;
    this.seen = facts.seen;
    this.details = facts.details ?? [];
    this.container = facts.container;
    this.data = facts.data ?? {};
  }
}

/** The spec is not one the runner understands. */
class UsageError extends Error {}

module.exports = { CheckFailure, UsageError };
