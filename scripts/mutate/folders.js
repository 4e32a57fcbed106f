// @ts-check
// What `npm run mutate` mutates, folder by folder, and the unit tests that target each folder (the
// test files that import from it). Each folder gets its own Stryker run against only those tests:
// the program-level tests cover everything, and running them for every mutant makes a run crawl.

/**
 * @typedef {object} Folder
 * @property {string} name
 * @property {string[]} mutate Stryker `mutate` globs
 * @property {string[]} tests unit test files, relative to the repository root
 */

/** @type {Folder[]} */
const FOLDERS = [
  {
    name: "lib",
    mutate: ["lib/**/*.ts", "!lib/**/*.d.ts"],
    tests: [
      "tests/unit/links.test.ts",
      "tests/unit/ipv4.test.ts",
      "tests/unit/engine-host.test.ts",
      "tests/unit/config.test.ts",
      "tests/unit/config-schema.test.ts",
      "tests/unit/hostile-config.test.ts",
      "tests/unit/engine-check.test.ts",
      "tests/unit/redis-auth.test.ts",
    ],
  },
  {
    name: "checks",
    mutate: ["checks/**/*.js"],
    // checks-run and http-foreign-app start `node checks/run.js`; verify imports it through
    // scripts/verify.js.
    tests: [
      "tests/unit/checks.test.ts",
      "tests/unit/checks-run.test.ts",
      "tests/unit/http-foreign-app.test.ts",
      "tests/unit/verify.test.ts",
    ],
  },
  {
    name: "components",
    mutate: ["components/**/*.ts"],
    // program.test.ts reaches the components through index.ts (tests/unit/mocks.ts imports it).
    tests: [
      "tests/unit/components.test.ts",
      "tests/unit/program.test.ts",
      "tests/unit/swarm.test.ts",
      "tests/unit/target-args.test.ts",
      "tests/unit/engine-object.test.ts",
      "tests/unit/redis-auth.test.ts",
      "tests/unit/verification-results.test.ts",
      "tests/unit/resource-options.test.ts",
      "tests/unit/revision.test.ts",
    ],
  },
  {
    name: "app",
    // The app's own sources: not app/node_modules, not app/test.
    mutate: ["app/*.js"],
    tests: ["app/test/*.test.js"],
  },
];

module.exports = { FOLDERS };
