// @ts-check
// Jest loads every test file of the run to learn the names of its tests, even when Stryker names
// the few tests that cover a mutant; loading is most of a mutant's cost (@pulumi/pulumi alone
// takes a second). This sequencer drops the files that hold none of the named tests, looked up
// in the test index (test-index.js). Without an index, or without a name filter (the dry run),
// every file runs.
const Sequencer = require("@jest/test-sequencer").default;
const { filesHolding } = require("./test-index");

class MutantSequencer extends Sequencer {
  /** @param {ConstructorParameters<typeof Sequencer>[0]} options */
  constructor(options) {
    super(options);
    this.testNamePattern = options.globalConfig.testNamePattern;
  }

  /** @param {Parameters<Sequencer["sort"]>[0]} tests */
  sort(tests) {
    const files = this.testNamePattern ? filesHolding(this.testNamePattern) : undefined;
    return super.sort(files ? tests.filter((test) => files.has(test.path)) : tests);
  }
}

module.exports = MutantSequencer;
