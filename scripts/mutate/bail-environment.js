// @ts-check
// Jest's node environment, bailing out once a test has failed with a mutant active: the mutant is
// killed by then, and the rest of the tests would only spend time failing. (Stryker asks for bail
// by default, but Jest offers none to a programmatic run.) Stryker runs Jest in band, so the test
// files of one mutant run one after another in this process: a failure in one file skips the
// tests of the files after it too (test-sequencer.js clears the mark as each run starts, and puts
// the quicker files first). The dry run, which has no active mutant, runs every test.
const { TestEnvironment } = require("jest-environment-node");

/** Where the run's failure is marked: on `process`, shared by every test file of the run. */
const FAILED = Symbol.for("mutate.bail.failedMutant");

/** @type {Record<symbol, string | undefined>} */
const marks = /** @type {any} */ (process);

class BailEnvironment extends TestEnvironment {
  /** @param {import("jest-circus").Event} event */
  async handleTestEvent(event) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined) return;
    if (event.name === "test_done" && event.test.errors.length > 0) marks[FAILED] = mutant;
    else if (event.name === "test_start" && marks[FAILED] === mutant) event.test.mode = "skip";
  }
}

/** Clears the mark: a new run (one mutant's, or the same mutant's again) starts. */
function clearBail() {
  marks[FAILED] = undefined;
}

module.exports = BailEnvironment;
module.exports.clearBail = clearBail;
