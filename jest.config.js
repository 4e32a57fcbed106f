// Unit tests run in parallel and touch nothing outside the process; conformance tests hold the
// toolchain to upstream's; integration tests drive real `pulumi up`/`destroy` against the Docker
// engine, so they run one file at a time.
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
      // The installed plugins and toolchain against what the upstream SDKs and plugins declare and
      // document. They start the pinned CLI and plugins, but use no Docker engine, ports or subnets.
      displayName: "conformance",
      preset: "ts-jest",
      testEnvironment: "node",
      testMatch: ["<rootDir>/tests/conformance/**/*.test.ts"],
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
