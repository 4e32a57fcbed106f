// @ts-check
// Which test file holds which test, as Stryker names tests: written during the dry run (the one
// run in which Stryker tracks the current test) by record-tests.js, read for every mutant by
// test-sequencer.js. It lives in the sandbox, so each Stryker run starts without one. Beside it,
// the time each file's tests took in the dry run, per test, by which the sequencer orders the
// files quickest first.
const fs = require("node:fs");
const path = require("node:path");

const TEST_INDEX = path.join(__dirname, "..", "..", ".mutate-test-index.jsonl");
const FILE_TIMES = path.join(__dirname, "..", "..", ".mutate-file-times.jsonl");

/**
 * @param {string} file the test file's absolute path
 * @param {string} name the test's full name (its describe blocks' names, then its own)
 */
function recordTest(file, name) {
  fs.appendFileSync(TEST_INDEX, `${JSON.stringify([file, name])}\n`);
}

/**
 * The test files with a test whose full name matches `pattern`, as Jest matches its
 * testNamePattern.
 * @param {string} pattern
 * @returns {Set<string> | undefined} undefined without an index
 */
function filesHolding(pattern) {
  if (!fs.existsSync(TEST_INDEX)) return undefined;
  const matches = new RegExp(pattern, "i");
  const files = new Set();
  for (const line of fs.readFileSync(TEST_INDEX, "utf8").split("\n")) {
    if (!line) continue;
    const [file, name] = JSON.parse(line);
    if (matches.test(name)) files.add(file);
  }
  return files;
}

/**
 * @param {string} file the test file's absolute path
 * @param {number} msPerTest the time from its first test's start to its last test's end, per test
 */
function recordFileTime(file, msPerTest) {
  fs.appendFileSync(FILE_TIMES, `${JSON.stringify([file, msPerTest])}\n`);
}

/**
 * The dry run's time per test of each test file (none before the dry run has recorded them).
 * @returns {Map<string, number>}
 */
function fileTimes() {
  const times = new Map();
  if (!fs.existsSync(FILE_TIMES)) return times;
  for (const line of fs.readFileSync(FILE_TIMES, "utf8").split("\n")) {
    if (!line) continue;
    const [file, msPerTest] = JSON.parse(line);
    times.set(file, msPerTest);
  }
  return times;
}

module.exports = { fileTimes, filesHolding, recordFileTime, recordTest };
