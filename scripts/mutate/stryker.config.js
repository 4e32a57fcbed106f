// @ts-check
// Stryker's options for one folder, named by MUTATE_FOLDER (scripts/mutate/run.js sets it; run
// `npm run mutate -- <folder>` rather than Stryker directly).
const { FOLDERS } = require("./folders");

const folder = FOLDERS.find(({ name }) => name === process.env.MUTATE_FOLDER);
if (!folder) {
  const names = FOLDERS.map(({ name }) => name).join(", ");
  throw new Error(`MUTATE_FOLDER must be one of ${names}; run npm run mutate -- <folder>`);
}
// MUTATE_REPORTS: another folder for the reports, so that two runs of one folder (each with
// --mutate and its own --tempDirName) do not overwrite each other's.
const reports = process.env.MUTATE_REPORTS ?? `reports/mutation/${folder.name}`;

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
module.exports = {
  mutate: folder.mutate,
  testRunner: "jest",
  jest: {
    projectType: "custom",
    configFile: "scripts/mutate/jest.config.js",
    config: { testMatch: folder.tests.map((file) => `<rootDir>/${file}`) },
    // Jest's related-test search follows imports and so misses the tests that run a file as a
    // child process; per-test coverage already picks the tests for each mutant.
    enableFindRelatedTests: false,
  },
  coverageAnalysis: "perTest",
  // Mutants reached only outside any test are not run (Ignored). What a test file reaches while
  // its modules load is credited to its tests (file-coverage.js); what only hooks reach (a
  // beforeAll that loads the whole program) stays Ignored.
  ignoreStatic: true,
  concurrency: 2,
  // Stryker's budget for a mutant is 1.5 x its tests' own time + timeoutMS, but loading a test
  // file (@pulumi/pulumi, a child process starting) costs seconds that the tests' time leaves out;
  // with the default 5 s, mutants that break many tests were counted as timeouts (detected)
  // without being run to the end. Endless loops in-process still stop at Stryker's hit limit.
  timeoutMS: 30000,
  reporters: ["html", "json", "clear-text", process.stdout.isTTY ? "progress" : "progress-append-only"],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  clearTextReporter: { reportMutants: false, reportTests: false },
  // Under the git-ignored reports folder, so that an interrupted run leaves nothing elsewhere.
  tempDirName: "reports/mutation/.stryker-tmp",
  // Not copied into the sandbox: what integration tests and the bench write while this runs (a
  // file gone mid-copy fails the run), and folders no unit test here reads.
  ignorePatterns: [
    "/reports",
    "/.pulumi-state",
    "/Pulumi.it-*.yaml",
    "/bench",
    "/toolchain",
    "/.ci",
    "*.log",
  ],
};
