// toolchain/versions.env is the one place for pinned versions; package.json and package-lock.json
// must agree with it. Images are not pinned there: their names are the config defaults in
// Pulumi.yaml, which scripts read with scripts/config-default.js.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { load } from "js-yaml";

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

  test("names no image (Pulumi.yaml's defaults are the one place)", () => {
    expect(Object.keys(versions).filter((key) => key.endsWith("_IMAGE"))).toEqual([]);
  });
});

describe("image defaults for the scripts", () => {
  const IMAGE_KEYS = ["redisImage", "nodeImage", "probeImage"];
  // Read here on its own, not through lib/config, which the scripts do not use either.
  const declared = (
    load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { default: unknown }>;
    }
  ).config;

  test.each(IMAGE_KEYS)("scripts/config-default.js prints Pulumi.yaml's %s", async (key) => {
    const { stdout } = await promisify(execFile)("node", [
      path.join(root, "scripts", "config-default.js"),
      key,
    ]);
    expect(stdout).toBe(`${declared[key].default}\n`);
  });

  // scripts/images.sh builds a stand-in only for a tag that names a version line.
  test.each(IMAGE_KEYS)("the default %s names a version line in its tag", (key) => {
    expect(String(declared[key].default)).toMatch(/^[a-z0-9./-]+:[0-9]+(\.[0-9]+)*(-[a-z0-9-]+)?$/);
  });
});
