// Pulumi.yaml is the one place the configuration's keys, types, defaults and descriptions are
// written down: how lib/config reads it, what it refuses, and that docs/config.md tells the same.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONFIG_KEYS, configDefault, parseConfig } from "../../lib/config";
import { readSchema } from "../../lib/config/schema";

const ROOT = path.join(__dirname, "..", "..");

describe("readSchema", () => {
  const PASSWORD = expect.objectContaining({ key: "redisPassword", type: "string", secret: true });

  test("reads the project name and each declaration in order, the undeclared secret key last", () => {
    const text = [
      "name: demo",
      "config:",
      "  port:",
      "    type: integer",
      "    default: 80",
      "    description: Port.",
      "  keep:",
      "    type: boolean",
      "    default: false",
      "    description: Keep it.",
      "  image:",
      "    type: string",
      '    default: ""',
      "    description: Optional image.",
    ].join("\n");
    expect(readSchema(text)).toEqual({
      namespace: "demo",
      keys: [
        { key: "port", type: "integer", default: 80, description: "Port." },
        { key: "keep", type: "boolean", default: false, description: "Keep it." },
        { key: "image", type: "string", default: "", description: "Optional image." },
        PASSWORD,
      ],
    });
  });

  // [what, the `config:` section's body, the error]
  test.each<[string, string, string]>([
    [
      "no type",
      "  a:\n    default: 1\n    description: d",
      "Pulumi.yaml: config.a.type must be one of string, integer, boolean",
    ],
    [
      "an unknown type",
      "  a:\n    type: number\n    default: 1\n    description: d",
      "config.a.type must be one of",
    ],
    ["no default", "  a:\n    type: string\n    description: d", "config.a.default must be of type string"],
    [
      "a quoted integer",
      '  a:\n    type: integer\n    default: "3000"\n    description: d',
      "config.a.default must be of type integer",
    ],
    [
      "a fraction",
      "  a:\n    type: integer\n    default: 2.5\n    description: d",
      "config.a.default must be of type integer",
    ],
    [
      "a string boolean",
      '  a:\n    type: boolean\n    default: "true"\n    description: d',
      "config.a.default must be of type boolean",
    ],
    [
      "no description",
      "  a:\n    type: string\n    default: x",
      "config.a.description must be a non-empty string",
    ],
    ["a bare key", "  a: 3", "config.a is not a declaration"],
    ["an empty declaration", "  a:", "config.a is not a declaration"],
    [
      "an empty description",
      '  a:\n    type: string\n    default: x\n    description: ""',
      "config.a.description must be a non-empty string",
    ],
    [
      "a declared redisPassword",
      '  redisPassword:\n    type: string\n    default: ""\n    description: d',
      "config.redisPassword must not be declared (it would become mandatory)",
    ],
    [
      "redisPassword declared among other keys",
      '  a:\n    type: string\n    default: x\n    description: d\n  redisPassword:\n    type: string\n    default: ""\n    description: d',
      "config.redisPassword must not be declared (it would become mandatory)",
    ],
  ])("refuses %s", (_what, body, message) => {
    expect(() => readSchema(`name: demo\nconfig:\n${body}\n`)).toThrow(message);
  });

  test.each([
    ["no config section", "name: demo\n"],
    ["no name", "config: {}\n"],
    ["a list", "- name\n"],
    ["a config: list", "name: demo\nconfig:\n  - a\n"],
    ["an empty config: section", "name: demo\nconfig:\n"],
  ])("refuses a project with %s", (_what, text) => {
    expect(() => readSchema(text)).toThrow(
      "Pulumi.yaml: expected a project with a name and a config: section",
    );
  });

  test("YAML it cannot read is refused, naming the file", () => {
    expect(() => readSchema("name: [demo\n", "custom.yaml")).toThrow('in "custom.yaml"');
  });
});

describe("the project's Pulumi.yaml", () => {
  test("is found next to the module, whatever the working directory", async () => {
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      await jest.isolateModulesAsync(async () => {
        const schema = await import("../../lib/config/schema");
        expect(schema.CONFIG_NAMESPACE).toBe("container-links");
        expect(schema.CONFIG_KEYS.map((k) => k.key)).toEqual(CONFIG_KEYS.map((k) => k.key));
        // The one key the program declares itself, last: a described secret string with no default.
        expect(schema.CONFIG_KEYS.at(-1)).toStrictEqual({
          key: "redisPassword",
          type: "string",
          secret: true,
          description: expect.stringMatching(/^Redis password, set with --secret: 16-512 characters/),
        });
      });
    } finally {
      process.chdir(cwd);
    }
  });

  test("configDefault gives a declared default and refuses keys without one", () => {
    expect(configDefault("appPort")).toBe(3000);
    expect(() => configDefault("redisPassword")).toThrow(
      "Pulumi.yaml declares no default for config key redisPassword",
    );
    expect(() => configDefault("appport")).toThrow("no default for config key appport");
  });

  // The integer keys' descriptions state a range; the parser must enforce exactly that range.
  test.each(CONFIG_KEYS.filter((k) => k.type === "integer").map((k) => [k.key, k.description] as const))(
    "%s: the range in its description is the one enforced",
    (key, description) => {
      const range = /\((\d+)-(\d+)\)/.exec(description);
      expect(range).not.toBeNull();
      const [min, max] = [Number(range![1]), Number(range![2])];
      const accepts = (n: number) => {
        try {
          parseConfig((k) => (k === key ? String(n) : undefined));
          return true;
        } catch {
          return false;
        }
      };
      expect([min - 1, min, max, max + 1].map(accepts)).toEqual([false, true, true, false]);
    },
  );
});

describe("docs/config.md", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "config.md"), "utf8");
  const section = doc.slice(doc.indexOf("\n## Keys\n"), doc.indexOf("\n## ", doc.indexOf("\n## Keys\n") + 1));
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );

  test("the key table lists exactly Pulumi.yaml's keys, in order, with their types, defaults and descriptions", () => {
    expect(rows).toEqual(
      CONFIG_KEYS.map((spec) => [
        `\`${spec.key}\``,
        spec.secret ? `${spec.type} (secret)` : spec.type,
        spec.default === undefined
          ? "(unset)"
          : spec.default === ""
            ? "(empty)"
            : `\`${String(spec.default)}\``,
        spec.description,
      ]),
    );
  });
});
