// The command plugin in the project's plugin cache against the types @pulumi/command 1.2.1 was
// generated with: local.Command and the local.run function (run, runOutput), every input and
// output property with the same type, optionality and replace rule, and the Logging enum.
import * as fs from "fs";
import * as path from "path";
import {
  differences,
  pluginSchema,
  PackageSchema,
  REPO_ROOT,
  schemaFunction,
  schemaResource,
} from "./schema";
import { sdkFunction, sdkResource } from "./sdk";

const sdk = path.join(REPO_ROOT, "node_modules", "@pulumi", "command");
const version: string = JSON.parse(fs.readFileSync(path.join(sdk, "package.json"), "utf8")).pulumi.version;
let schema: PackageSchema;

beforeAll(() => {
  schema = pluginSchema("command", version);
}, 120_000);

describe(`command plugin ${version} vs @pulumi/command's generated types`, () => {
  test("local.Command", () => {
    const found = differences(
      "local.Command",
      sdkResource(sdk, "local/command", "Command"),
      schemaResource(schema, "command:local:Command"),
    );
    expect(found).toEqual([]);
  });

  test("local.run / local.runOutput", () => {
    const found = differences(
      "local.run",
      sdkFunction(sdk, "local/run", "run"),
      schemaFunction(schema, "command:local:run"),
    );
    expect(found).toEqual([]);
  });
});
