// toolchain/versions.env is the one place for pinned versions; package.json, package-lock.json and
// the config defaults must agree with it.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS } from "../../lib/config";

const root = path.join(__dirname, "..", "..");
const versions = Object.fromEntries(
  fs
    .readFileSync(path.join(root, "toolchain", "versions.env"), "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split("=", 2) as [string, string]),
);
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));

const pins: [string, string, "dependencies" | "devDependencies"][] = [
  ["@pulumi/pulumi", "PULUMI_VERSION", "dependencies"],
  ["@pulumi/docker", "PULUMI_DOCKER_VERSION", "dependencies"],
  ["@pulumi/command", "PULUMI_COMMAND_VERSION", "dependencies"],
  ["jest", "JEST_VERSION", "devDependencies"],
  ["typescript", "TYPESCRIPT_VERSION", "devDependencies"],
];

describe("toolchain/versions.env", () => {
  test.each(pins)("package.json pins %s exactly to %s", (name, key, section) => {
    expect(versions[key]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg[section][name]).toBe(versions[key]);
  });

  test.each(pins)("package-lock.json resolves %s to %s", (name, key) => {
    expect(lock.packages[`node_modules/${name}`].version).toBe(versions[key]);
  });

  test.each([
    ["@pulumi/docker", "PULUMI_DOCKER_VERSION"],
    ["@pulumi/command", "PULUMI_COMMAND_VERSION"],
  ])("the installed %s declares the plugin version %s", (name, key) => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8"),
    );
    expect(manifest.pulumi).toMatchObject({ resource: true, version: versions[key] });
  });

  test.each([
    ["redisImage", "REDIS_IMAGE"],
    ["nodeImage", "NODE_IMAGE"],
    ["probeImage", "PROBE_IMAGE"],
  ])("config default %s is the image the bootstrap provides (%s)", (key, variable) => {
    expect(CONFIG_KEYS.find((k) => k.key === key)?.default).toBe(versions[variable]);
  });
});
