// The docker plugin in the project's plugin cache (built here, or the official one where it was
// downloaded) against the types @pulumi/docker 5.0.0 was generated with: every input and output
// property of the resources the program uses and of the provider's configuration, with the same
// type, optionality, default, secrecy and replace rule, and the same nested types and enums.
import * as fs from "fs";
import * as path from "path";
import {
  differences,
  pluginSchema,
  PackageSchema,
  REPO_ROOT,
  schemaProvider,
  schemaResource,
} from "./schema";
import { sdkProvider, sdkResource } from "./sdk";

const sdk = path.join(REPO_ROOT, "node_modules", "@pulumi", "docker");
const version: string = JSON.parse(fs.readFileSync(path.join(sdk, "package.json"), "utf8")).pulumi.version;

// What the plugin built here adds to @pulumi/docker 5.0.0, exactly: the kreuzwerker provider it is
// built from is a later commit than the v4.2.0 that pulumi-docker v5.0.0 ships (the Go module proxy
// serves neither v4.2.0 nor the tags after it; see toolchain/README.md). All are optional inputs a
// program written against 5.0.0 never sets. The official plugin has none of them, so where it is
// installed the list must be empty: the test then expects no difference at all.
const BUILT_HERE_ADDS: Record<string, string[]> = {
  Container: [
    "Container inputs.deviceCgroupRules: only in the plugin: string[] (optional)",
    "Container outputs.deviceCgroupRules: only in the plugin: string[] (optional)",
    "input type ContainerUpload.group: only in the plugin: string (optional)",
    "input type ContainerUpload.owner: only in the plugin: string (optional)",
    "output type ContainerUpload.group: only in the plugin: string (optional)",
    "output type ContainerUpload.owner: only in the plugin: string (optional)",
  ],
  RemoteImage: [
    "input type RemoteImageBuild.provenance: only in the plugin: string (optional)",
    "input type RemoteImageBuild.sbom: only in the plugin: string (optional)",
    "output type RemoteImageBuild.provenance: only in the plugin: string (optional)",
    "output type RemoteImageBuild.sbom: only in the plugin: string (optional)",
  ],
  Service: [
    "input type ServiceTaskSpecContainerSpec.init: only in the plugin: boolean (optional)",
    "output type ServiceTaskSpecContainerSpec.init: only in the plugin: boolean",
  ],
  ServiceConfig: [
    "ServiceConfig inputs.data: SDK string, plugin string (optional)",
    "ServiceConfig inputs.dataRaw: only in the plugin: string (optional)",
    "ServiceConfig outputs.data: SDK string, plugin string (optional)",
    "ServiceConfig outputs.dataRaw: only in the plugin: string (optional)",
  ],
};

const RESOURCES = ["Container", "Network", "Volume", "RemoteImage", "Service", "Secret", "ServiceConfig"];

let schema: PackageSchema;
let builtHere: boolean;

beforeAll(() => {
  schema = pluginSchema("docker", version);
  // Only the build from this repository embeds the kreuzwerker provider's later fields.
  builtHere =
    "deviceCgroupRules" in (schema.resources["docker:index/container:Container"]?.inputProperties ?? {});
}, 120_000);

describe(`docker plugin ${version} vs @pulumi/docker's generated types`, () => {
  test.each(RESOURCES)("%s: same properties, types, defaults and rules", (name) => {
    const file = name.charAt(0).toLowerCase() + name.slice(1);
    const found = differences(
      name,
      sdkResource(sdk, file, name),
      schemaResource(schema, `docker:index/${file}:${name}`),
    );
    expect(found).toEqual(builtHere ? (BUILT_HERE_ADDS[name] ?? []) : []);
  });

  test("provider configuration: same keys, types and defaults", () => {
    expect(differences("Provider", sdkProvider(sdk), schemaProvider(schema))).toEqual([]);
  });
});
