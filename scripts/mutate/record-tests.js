// @ts-check
// Jest setup for the mutation run only: files each test under its full name in the test index
// (test-index.js), during the dry run, when Stryker's jest environment tracks the current test;
// and, once the file is done, the time its tests took, per test (test-sequencer.js orders the
// files by it).
const { afterAll, afterEach, beforeAll, expect } = require("@jest/globals");
const { recordFileTime, recordTest } = require("./test-index");

let started = 0;
let recorded = 0;

beforeAll(() => {
  started = Date.now();
});

afterEach(() => {
  const stryker = /** @type {{ __stryker__?: { currentTestId?: string } }} */ (globalThis).__stryker__;
  const name = stryker?.currentTestId;
  const file = expect.getState().testPath;
  if (name !== undefined && file !== undefined) {
    recordTest(file, name);
    recorded++;
  }
});

afterAll(() => {
  const file = expect.getState().testPath;
  if (recorded > 0 && file !== undefined) recordFileTime(file, (Date.now() - started) / recorded);
});
