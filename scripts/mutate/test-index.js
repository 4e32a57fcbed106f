// @ts-check
// Which test file holds which test, as Stryker names tests: written during the dry run (the one
// run in which Stryker tracks the current test) by record-tests.js, read for every mutant by
// test-sequencer.js. It lives in the sandbox, so each Stryker run starts without one.
const fs = require("node:fs");
const path = require("node:path");

const TEST_INDEX = path.join(__dirname, "..", "..", ".mutate-test-index.jsonl");

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

module.exports = { filesHolding, recordTest };
