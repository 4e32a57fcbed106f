// The Go glue this project builds its Pulumi toolchain from: its own unit tests, and the docker
// plugin's token table against the @pulumi/docker SDK the program uses.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";

const toolchain = path.join(__dirname, "..", "..", "toolchain");
const run = promisify(execFile);

describe.each(["language-nodejs", "provider-command"])("toolchain/%s", (module) => {
  test("go test passes", async () => {
    const { stdout } = await run("go", ["test", "./..."], {
      cwd: path.join(toolchain, module),
      timeout: 280_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(/^ok\s/m);
  }, 300_000);
});

describe("toolchain/provider-docker", () => {
  const mapping = fs.readFileSync(path.join(toolchain, "provider-docker", "dockerinfo", "info.go"), "utf8");
  const sdk = path.join(__dirname, "..", "..", "node_modules", "@pulumi", "docker");

  test.each(["Container", "RemoteImage", "Network", "Volume", "Service", "ServiceConfig", "Secret"])(
    "serves %s under the token @pulumi/docker uses",
    (name) => {
      const file = name.charAt(0).toLowerCase() + name.slice(1);
      const source = fs.readFileSync(path.join(sdk, `${file}.js`), "utf8");
      const token = /__pulumiType = '([^']+)'/.exec(source)?.[1];
      expect(token).toBe(`docker:index/${file}:${name}`);
      expect(mapping).toContain(`resourceToken("${name}")`);
    },
  );
});
