// Reads the Pulumi package schema a resource plugin serves (`pulumi package get-schema` on the
// plugin the project's CLI would load) into the same Shape as sdk.ts reads from a generated SDK,
// and compares two Shapes property by property.
import { execFileSync } from "child_process";
import * as path from "path";
import { Properties, Property, Shape } from "./sdk";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

interface TypeSpec {
  type?: string;
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  $ref?: string;
  oneOf?: TypeSpec[];
}

interface PropertySpec extends TypeSpec {
  default?: unknown;
  defaultInfo?: { environment?: string[] };
  secret?: boolean;
  replaceOnChanges?: boolean;
}

interface ObjectSpec {
  properties?: Record<string, PropertySpec>;
  required?: string[];
  enum?: { value: unknown }[];
  language?: { nodejs?: { requiredOutputs?: string[] } };
}

interface ResourceSpec extends ObjectSpec {
  inputProperties?: Record<string, PropertySpec>;
  requiredInputs?: string[];
}

export interface PackageSchema {
  provider: ResourceSpec;
  resources: Record<string, ResourceSpec>;
  functions: Record<string, { inputs?: ObjectSpec; outputs?: ObjectSpec }>;
  types: Record<string, ObjectSpec>;
}

/** The schema served by the installed plugin `name@version`, through bin/pulumi (the project's CLI and plugin cache). */
export function pluginSchema(name: string, version: string): PackageSchema {
  const out = execFileSync(
    path.join(REPO_ROOT, "bin", "pulumi"),
    ["package", "get-schema", `${name}@${version}`],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return JSON.parse(out) as PackageSchema;
}

function typeName(ref: string): string {
  return ref.slice(ref.lastIndexOf(":") + 1);
}

class Reader {
  readonly inputRefs = new Set<string>();
  readonly outputRefs = new Set<string>();
  readonly enumRefs = new Set<string>();
  constructor(readonly schema: PackageSchema) {}

  canonical(spec: TypeSpec, refs: Set<string>): string {
    if (spec.$ref) {
      switch (spec.$ref) {
        case "pulumi.json#/Any":
          return "any";
        case "pulumi.json#/Archive":
          return "Archive";
        case "pulumi.json#/Asset":
          // The Node.js SDKs type an asset property as either kind.
          return "Archive|Asset";
      }
      const token = spec.$ref.replace(/^#\/types\//, "");
      const target = this.schema.types[token];
      if (!target) throw new Error(`dangling reference ${spec.$ref}`);
      if (target.enum) {
        this.enumRefs.add(token);
        return `enum:${typeName(token)}`;
      }
      refs.add(token);
      return `ref:${typeName(token)}`;
    }
    switch (spec.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array":
        return `${this.canonical(spec.items!, refs)}[]`;
      case "object":
        return `{[key: string]: ${this.canonical(spec.additionalProperties ?? { type: "string" }, refs)}}`;
    }
    throw new Error(`unexpected type spec ${JSON.stringify(spec)}`);
  }

  properties(
    props: Record<string, PropertySpec> | undefined,
    required: string[] | undefined,
    refs: Set<string>,
  ): Properties {
    const out: Properties = new Map();
    for (const [name, spec] of Object.entries(props ?? {})) {
      out.set(name, { type: this.canonical(spec, refs), optional: !(required ?? []).includes(name) });
    }
    return out;
  }

  types(roots: Set<string>, output: boolean): Map<string, Properties> {
    const types = new Map<string, Properties>();
    const pending = [...roots];
    while (pending.length > 0) {
      const token = pending.pop()!;
      if (types.has(typeName(token))) continue;
      const more = new Set<string>();
      const spec = this.schema.types[token];
      // The Node.js SDK's output types make required what the schema's nodejs language section says.
      const required = (output && spec.language?.nodejs?.requiredOutputs) || spec.required;
      types.set(typeName(token), this.properties(spec.properties, required, more));
      pending.push(...more);
    }
    return types;
  }

  shape(
    inputs: Properties,
    outputs: Properties,
    inputSpecs: Record<string, PropertySpec>,
    outputSpecs: Record<string, PropertySpec>,
  ): Shape {
    const defaults = new Map<string, string>();
    for (const [name, spec] of Object.entries(inputSpecs)) {
      const env = spec.defaultInfo?.environment;
      const envExpr = env ? `utilities.getEnv(${env.map((e) => JSON.stringify(e)).join(", ")})` : undefined;
      const valueExpr = spec.default !== undefined ? JSON.stringify(spec.default) : undefined;
      if (envExpr && valueExpr) defaults.set(name, `(${envExpr} || ${valueExpr})`);
      else if (envExpr ?? valueExpr) defaults.set(name, (envExpr ?? valueExpr)!);
    }
    const flagged = (specs: Record<string, PropertySpec>, flag: "secret" | "replaceOnChanges") =>
      Object.entries(specs)
        .filter(([, s]) => s[flag])
        .map(([n]) => n)
        .sort();
    const enums = new Map<string, string[]>();
    const shape: Shape = {
      inputs,
      outputs,
      inputTypes: this.types(this.inputRefs, false),
      outputTypes: this.types(this.outputRefs, true),
      enums,
      defaults,
      secretInputs: flagged(inputSpecs, "secret"),
      secretOutputs: flagged(outputSpecs, "secret"),
      replaceOnChanges: flagged(inputSpecs, "replaceOnChanges").map((n) => `${n}[*]`),
    };
    for (const token of this.enumRefs) {
      enums.set(typeName(token), this.schema.types[token].enum!.map((e) => String(e.value)).sort());
    }
    return shape;
  }
}

export function schemaResource(schema: PackageSchema, token: string): Shape {
  const spec = schema.resources[token];
  if (!spec) throw new Error(`the plugin's schema has no resource ${token}`);
  const r = new Reader(schema);
  const inputs = r.properties(spec.inputProperties, spec.requiredInputs, r.inputRefs);
  const outputs = r.properties(spec.properties, spec.required, r.outputRefs);
  return r.shape(inputs, outputs, spec.inputProperties ?? {}, spec.properties ?? {});
}

export function schemaProvider(schema: PackageSchema): Shape {
  const r = new Reader(schema);
  const specs = schema.provider.inputProperties ?? {};
  const shape = r.shape(
    r.properties(specs, schema.provider.requiredInputs, r.inputRefs),
    new Map(),
    specs,
    {},
  );
  shape.secretOutputs = [];
  return shape;
}

export function schemaFunction(schema: PackageSchema, token: string): Shape {
  const spec = schema.functions[token];
  if (!spec) throw new Error(`the plugin's schema has no function ${token}`);
  const r = new Reader(schema);
  const inputs = r.properties(spec.inputs?.properties, spec.inputs?.required, r.inputRefs);
  const outputs = r.properties(spec.outputs?.properties, spec.outputs?.required, r.outputRefs);
  const shape = r.shape(inputs, outputs, {}, {});
  return { ...shape, defaults: new Map(), secretInputs: [], secretOutputs: [], replaceOnChanges: [] };
}

function show(p: Property): string {
  return `${p.type}${p.optional ? " (optional)" : ""}`;
}

function compareProperties(where: string, sdk: Properties, plugin: Properties, out: string[]) {
  for (const name of new Set([...sdk.keys(), ...plugin.keys()])) {
    const a = sdk.get(name);
    const b = plugin.get(name);
    if (!a) out.push(`${where}.${name}: only in the plugin: ${show(b!)}`);
    else if (!b) out.push(`${where}.${name}: missing from the plugin (SDK: ${show(a)})`);
    else if (a.type !== b.type || a.optional !== b.optional)
      out.push(`${where}.${name}: SDK ${show(a)}, plugin ${show(b)}`);
  }
}

/** Every difference between what the SDK declares and what the plugin's schema says, one line each, sorted. */
export function differences(label: string, sdk: Shape, plugin: Shape): string[] {
  const out: string[] = [];
  compareProperties(`${label} inputs`, sdk.inputs, plugin.inputs, out);
  compareProperties(`${label} outputs`, sdk.outputs, plugin.outputs, out);
  for (const [kind, a, b] of [
    ["input type", sdk.inputTypes, plugin.inputTypes],
    ["output type", sdk.outputTypes, plugin.outputTypes],
  ] as const) {
    for (const name of new Set([...a.keys(), ...b.keys()])) {
      if (!a.has(name)) out.push(`${kind} ${name}: only in the plugin`);
      else if (!b.has(name)) out.push(`${kind} ${name}: missing from the plugin`);
      else compareProperties(`${kind} ${name}`, a.get(name)!, b.get(name)!, out);
    }
  }
  for (const name of new Set([...sdk.enums.keys(), ...plugin.enums.keys()])) {
    const a = JSON.stringify(sdk.enums.get(name));
    const b = JSON.stringify(plugin.enums.get(name));
    if (a !== b) out.push(`enum ${name}: SDK ${a}, plugin ${b}`);
  }
  for (const name of new Set([...sdk.defaults.keys(), ...plugin.defaults.keys()])) {
    if (sdk.defaults.get(name) !== plugin.defaults.get(name)) {
      out.push(
        `${label} default of ${name}: SDK ${sdk.defaults.get(name) ?? "none"}, plugin ${plugin.defaults.get(name) ?? "none"}`,
      );
    }
  }
  for (const key of ["secretInputs", "secretOutputs", "replaceOnChanges"] as const) {
    if (JSON.stringify(sdk[key]) !== JSON.stringify(plugin[key])) {
      out.push(`${label} ${key}: SDK ${JSON.stringify(sdk[key])}, plugin ${JSON.stringify(plugin[key])}`);
    }
  }
  return out.sort();
}
