#!/usr/bin/env node
// @ts-check
// Prints the default Pulumi.yaml declares for a config key, so that shell scripts take image names
// (and anything else) from the one place defaults are written down.
// Usage: scripts/config-default.js <key>
const fs = require("node:fs");
const path = require("node:path");
const { load } = require("js-yaml");

const key = process.argv[2];
if (process.argv.length !== 3 || !key) {
  console.error("usage: scripts/config-default.js <key>");
  process.exit(2);
}
const project = /** @type {{ config?: Record<string, { default?: unknown }> }} */ (
  load(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"))
);
const value = project.config?.[key]?.default;
if (value === undefined) {
  console.error(`Pulumi.yaml declares no default for config key ${key}`);
  process.exit(1);
}
console.log(String(value));
