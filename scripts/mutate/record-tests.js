// @ts-check
// Jest setup for the mutation run only: files each test under its full name in the test index
// (test-index.js), during the dry run, when Stryker's jest environment tracks the current test.
const { afterEach, expect } = require("@jest/globals");
const { recordTest } = require("./test-index");

afterEach(() => {
  const stryker = /** @type {{ __stryker__?: { currentTestId?: string } }} */ (globalThis).__stryker__;
  const name = stryker?.currentTestId;
  const file = expect.getState().testPath;
  if (name !== undefined && file !== undefined) recordTest(file, name);
});
