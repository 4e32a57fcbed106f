// @ts-check
// Jest as the mutation run uses it: the unit project's settings (the test files come from
// stryker.config.js), TypeScript transpiled without type checks, coverage from child processes
// (child-coverage.js) and from module loading (file-coverage.js), only the test files that hold
// the tests Stryker asks for (record-tests.js, test-sequencer.js), and no more tests once one has
// failed (bail-environment.js).
//
// TypeScript is transpiled only. Type checks could not judge a mutant anyway: Stryker compiles
// all of a file's mutants together (mutation switching), so one ill-typed mutant would fail the
// whole file; that is why Stryker itself marks the files it mutates `// @ts-nocheck`. A mutant
// that tsc would reject therefore runs as JavaScript, as it would under Stryker's defaults: a
// survivor is counted equivalent only once tsc is shown to reject it. (Stryker's typescript
// checker plugin, not installed, would report such mutants as compile errors instead.)
const path = require("node:path");

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.join(__dirname, "..", ".."),
  // A path, not <rootDir>: Stryker loads the environment itself, from the raw setting.
  testEnvironment: path.join(__dirname, "bail-environment.js"),
  transform: { "^.+\\.tsx?$": ["ts-jest", { tsconfig: { isolatedModules: true } }] },
  // Setup files register their hooks before the test file does: file-coverage.js's beforeAll runs
  // once the file's modules have loaded, before any hook of the file itself.
  setupFilesAfterEnv: [
    "<rootDir>/scripts/mutate/child-coverage.js",
    "<rootDir>/scripts/mutate/file-coverage.js",
    "<rootDir>/scripts/mutate/record-tests.js",
  ],
  testSequencer: "<rootDir>/scripts/mutate/test-sequencer.js",
};
