// The configuration's keys, types, defaults and descriptions, read from the `config:` section of
// Pulumi.yaml: the one place they are written down. Pulumi applies the same declarations itself
// (types and defaults) before the program runs; docs/config.md is checked against them.
import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";

export type ConfigType = "string" | "integer" | "boolean";

export interface ConfigKeySpec {
  /** Bare key, as used with `pulumi config set <key>`. */
  readonly key: string;
  readonly type: ConfigType;
  /** Absent for the secret key only; an empty string means "unset" (the key is optional). */
  readonly default?: string | number | boolean;
  readonly secret?: boolean;
  readonly description: string;
}

/** The project file, found from this module rather than the working directory. */
export const PULUMI_YAML = path.join(__dirname, "..", "..", "Pulumi.yaml");

/**
 * The one key Pulumi.yaml cannot declare: Pulumi makes a declared key without a default mandatory,
 * and a secret has no default. parseConfig checks that it was set with --secret.
 */
const REDIS_PASSWORD: ConfigKeySpec = {
  key: "redisPassword",
  type: "string",
  secret: true,
  description:
    "Redis password, set with --secret: 16-512 characters from A-Z a-z 0-9 . _ + / = and hyphen, not starting with a hyphen (unset: the stack generates one and keeps it).",
};

const TYPES: readonly ConfigType[] = ["string", "integer", "boolean"];
const JS_TYPES: Record<ConfigType, string> = { string: "string", integer: "number", boolean: "boolean" };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The project name (the config namespace) and the declared keys of a Pulumi.yaml text, with the
 * undeclared secret key appended. Throws when a declaration lacks a known type, a default of that
 * type, or a description: the program must not guess what a key means.
 */
export function readSchema(text: string, file = "Pulumi.yaml"): { namespace: string; keys: ConfigKeySpec[] } {
  const project = load(text, { filename: file });
  if (!isRecord(project) || typeof project.name !== "string" || !isRecord(project.config)) {
    throw new Error(`${file}: expected a project with a name and a config: section`);
  }
  const keys = Object.entries(project.config).map(([key, declaration]): ConfigKeySpec => {
    const where = `${file}: config.${key}`;
    if (!isRecord(declaration)) throw new Error(`${where} is not a declaration (type, default, description)`);
    const { type, default: value, description } = declaration;
    if (!TYPES.includes(type as ConfigType))
      throw new Error(`${where}.type must be one of ${TYPES.join(", ")}`);
    const configType = type as ConfigType;
    const typed =
      typeof value === JS_TYPES[configType] && (configType !== "integer" || Number.isInteger(value));
    if (!typed) throw new Error(`${where}.default must be of type ${configType}`);
    if (typeof description !== "string" || description === "") {
      throw new Error(`${where}.description must be a non-empty string`);
    }
    return { key, type: configType, default: value as string | number | boolean, description };
  });
  if (keys.some((k) => k.key === REDIS_PASSWORD.key)) {
    throw new Error(`${file}: config.${REDIS_PASSWORD.key} must not be declared (it would become mandatory)`);
  }
  return { namespace: project.name, keys: [...keys, REDIS_PASSWORD] };
}

const schema = readSchema(fs.readFileSync(PULUMI_YAML, "utf8"), PULUMI_YAML);

/** Pulumi's config namespace for this project: the project name in Pulumi.yaml. */
export const CONFIG_NAMESPACE: string = schema.namespace;

/** Every key the program reads, in Pulumi.yaml's order, the secret key last. */
export const CONFIG_KEYS: ReadonlyArray<ConfigKeySpec> = schema.keys;

/** The default Pulumi.yaml declares for a key, e.g. configDefault("redisImage"). */
export function configDefault(key: string): string | number | boolean {
  const value = CONFIG_KEYS.find((k) => k.key === key)?.default;
  if (value === undefined) throw new Error(`Pulumi.yaml declares no default for config key ${key}`);
  return value;
}

/** Edit distance of two short strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known key an unknown one was probably meant to be: same letters in another case, or a typo or two. */
export function closestKey(unknown: string): string | undefined {
  const lower = unknown.toLowerCase();
  let best: { key: string; d: number } | undefined;
  for (const { key } of CONFIG_KEYS) {
    if (Math.abs(key.length - lower.length) > 2) continue;
    const d = distance(lower, key.toLowerCase());
    if (d <= 2 && (best === undefined || d < best.d)) best = { key, d };
  }
  return best?.key;
}
