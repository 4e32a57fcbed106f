// Unit tests run in parallel and touch nothing outside the process; integration tests drive real
// `pulumi up`/`destroy` against the Docker engine, so they run one file at a time.
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: "unit",
      preset: "ts-jest",
      testEnvironment: "node",
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts", "<rootDir>/app/test/**/*.test.js"],
    },
    {
      displayName: "integration",
      preset: "ts-jest",
      testEnvironment: "node",
      testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
      // Removes what a killed earlier run left behind (its ports and subnets would fail this run).
      globalSetup: "<rootDir>/tests/integration/sweep.ts",
    },
  ],
};
