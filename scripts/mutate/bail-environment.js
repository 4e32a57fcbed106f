// @ts-check
// Jest's node environment, bailing out of a test file once a test has failed with a mutant active:
// the mutant is killed by then, and the rest of the file's tests would only spend time failing.
// (Stryker asks for bail by default, but Jest offers none to a programmatic run.) The dry run,
// which has no active mutant, runs every test.
const { TestEnvironment } = require("jest-environment-node");

class BailEnvironment extends TestEnvironment {
  failed = false;

  /** @param {import("jest-circus").Event} event */
  async handleTestEvent(event) {
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) return;
    if (event.name === "test_done" && event.test.errors.length > 0) this.failed = true;
    else if (event.name === "test_start" && this.failed) event.test.mode = "skip";
  }
}

module.exports = BailEnvironment;
