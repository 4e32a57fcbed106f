// @ts-check
// Jest loads every test file of the run to learn the names of its tests, even when Stryker names
// the few tests that cover a mutant; loading is most of a mutant's cost (@pulumi/pulumi alone
// takes a second). This sequencer drops the files that hold none of the named tests, looked up
// in the test index (test-index.js). Without an index, or without a name filter (the dry run),
// every file runs. It also orders the files quickest first (by the dry run's time per test of
// each, test-index.js; files without one last), since the first failure skips the files after it
// (bail-environment.js): a mutant that in-process tests kill then spends nothing on the files
// that start `node` for each test.
const Sequencer = require("@jest/test-sequencer").default;
const { clearBail } = require("./bail-environment");
const { fileTimes, filesHolding } = require("./test-index");

class MutantSequencer extends Sequencer {
  /** @param {ConstructorParameters<typeof Sequencer>[0]} options */
  constructor(options) {
    super(options);
    this.testNamePattern = options.globalConfig.testNamePattern;
  }

  /** @param {Parameters<Sequencer["sort"]>[0]} tests */
  sort(tests) {
    clearBail();
    const files = this.testNamePattern ? filesHolding(this.testNamePattern) : undefined;
    const kept = files ? tests.filter((test) => files.has(test.path)) : tests;
    const times = fileTimes();
    const time = (/** @type {(typeof tests)[number]} */ test) => times.get(test.path) ?? Infinity;
    return [...kept].sort((a, b) => time(a) - time(b) || (a.path < b.path ? -1 : 1));
  }
}

module.exports = MutantSequencer;
