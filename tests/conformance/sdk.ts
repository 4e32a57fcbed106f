// Reads what a generated Pulumi Node.js SDK (node_modules/@pulumi/<package>) declares about a
// resource or function: every input and output property with its type and whether it is optional
// (from the .d.ts files, with the TypeScript compiler's parser), and the defaults, secret inputs,
// secret outputs and replace-on-change paths its constructor applies (from the .js file). Types
// are reduced to one canonical string form shared with schema.ts, e.g. `string[]`,
// `{[key: string]: string}`, `ref:ContainerCapabilities`, `enum:Logging`.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export interface Property {
  type: string;
  optional: boolean;
}

export type Properties = Map<string, Property>;

/** A resource or function as one side (SDK or plugin schema) describes it. */
export interface Shape {
  inputs: Properties;
  outputs: Properties;
  /** Object types reachable from the properties, by name, in their input and output forms. */
  inputTypes: Map<string, Properties>;
  outputTypes: Map<string, Properties>;
  /** Enum types reachable from the properties, by name: their values. */
  enums: Map<string, string[]>;
  /** Default of each input that has one, as the SDK's expression (`utilities.getEnv("X")`, `false`). */
  defaults: Map<string, string>;
  secretInputs: string[];
  secretOutputs: string[];
  replaceOnChanges: string[];
}

const parsed = new Map<string, ts.SourceFile>();

function source(file: string): ts.SourceFile {
  let sf = parsed.get(file);
  if (!sf) {
    sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    parsed.set(file, sf);
  }
  return sf;
}

function declarations(file: string): ts.Statement[] {
  const out: ts.Statement[] = [];
  const visit = (statements: ts.NodeArray<ts.Statement>) => {
    for (const s of statements) {
      out.push(s);
      if (ts.isModuleDeclaration(s) && s.body && ts.isModuleBlock(s.body)) {
        visit(s.body.statements);
      }
    }
  };
  visit(source(file).statements);
  return out;
}

function named<T extends ts.Statement>(file: string, name: string, is: (s: ts.Statement) => s is T): T {
  const found = declarations(file).find(
    (s): s is T => is(s) && (s as unknown as { name?: ts.Identifier }).name?.text === name,
  );
  if (!found) {
    throw new Error(`${path.basename(file)} declares no ${name}`);
  }
  return found;
}

/** Canonical type of a .d.ts type node; object types it names are collected into `refs`. */
function canonical(node: ts.TypeNode, refs: Set<string>, enums: Set<string>): string {
  if (ts.isParenthesizedTypeNode(node)) {
    return canonical(node.type, refs, enums);
  }
  if (ts.isArrayTypeNode(node)) {
    return `${canonical(node.elementType, refs, enums)}[]`;
  }
  if (ts.isUnionTypeNode(node)) {
    const members = node.types
      .filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword)
      .map((t) => canonical(t, refs, enums));
    return members.length === 1 ? members[0] : members.sort().join("|");
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (index && node.members.length === 1) {
      return `{[key: string]: ${canonical(index.type, refs, enums)}}`;
    }
    throw new Error(`unexpected type literal: ${node.getText()}`);
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === "pulumi.Input" || name === "pulumi.Output") {
      return canonical(node.typeArguments![0], refs, enums);
    }
    if (name === "pulumi.asset.Archive") return "Archive";
    if (name === "pulumi.asset.Asset") return "Asset";
    const ref = /^(?:inputs|outputs)\.(?:\w+\.)*(\w+)$/.exec(name);
    if (ref) {
      refs.add(ref[1]);
      return `ref:${ref[1]}`;
    }
    const enumRef = /^enums\.(?:\w+\.)*(\w+)$/.exec(name);
    if (enumRef) {
      enums.add(enumRef[1]);
      return `enum:${enumRef[1]}`;
    }
    throw new Error(`unexpected type reference: ${name}`);
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return "string";
    case ts.SyntaxKind.NumberKeyword:
      return "number";
    case ts.SyntaxKind.BooleanKeyword:
      return "boolean";
    case ts.SyntaxKind.AnyKeyword:
      return "any";
  }
  throw new Error(`unexpected type: ${node.getText()}`);
}

/** An output declared as `pulumi.Output<T | undefined>` is optional. */
function outputIsOptional(node: ts.TypeNode): boolean {
  if (ts.isTypeReferenceNode(node) && node.typeName.getText() === "pulumi.Output") {
    const inner = node.typeArguments![0];
    return ts.isUnionTypeNode(inner) && inner.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword);
  }
  return false;
}

type Members = ts.NodeArray<ts.TypeElement> | ts.NodeArray<ts.ClassElement>;

function properties(
  members: Members,
  refs: Set<string>,
  enums: Set<string>,
  classOutputs = false,
): Properties {
  const props: Properties = new Map();
  for (const m of members) {
    if (!(ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) || !m.type) continue;
    const name = m.name.getText();
    const isStatic =
      ts.isPropertyDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
    if (isStatic) continue;
    props.set(name, {
      type: canonical(m.type, refs, enums),
      optional: classOutputs ? outputIsOptional(m.type) : m.questionToken !== undefined,
    });
  }
  return props;
}

/** Collects the object types in `refs` (and those they name) from one of types/{input,output}.d.ts. */
function objectTypes(file: string, refs: Set<string>, enums: Set<string>): Map<string, Properties> {
  const types = new Map<string, Properties>();
  const pending = [...refs];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (types.has(name)) continue;
    const more = new Set<string>();
    types.set(name, properties(named(file, name, ts.isInterfaceDeclaration).members, more, enums));
    pending.push(...more);
  }
  return types;
}

function enumValues(sdk: string, names: Set<string>): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const dir = path.join(sdk, "types", "enums");
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts"))
    : [];
  for (const name of names) {
    for (const f of files) {
      const decl = declarations(path.join(dir, f)).find(
        (s): s is ts.VariableStatement =>
          ts.isVariableStatement(s) && s.declarationList.declarations[0].name.getText() === name,
      );
      const type = decl?.declarationList.declarations[0].type;
      if (type && ts.isTypeLiteralNode(type)) {
        values.set(
          name,
          type.members
            .map((m) => (ts.isPropertySignature(m) && m.type ? JSON.parse(m.type.getText()) : undefined))
            .sort(),
        );
      }
    }
  }
  return values;
}

/** What the resource's constructor does with its inputs, read from the generated .js. */
function constructorRules(js: string) {
  const defaults = new Map<string, string>();
  for (const m of js.matchAll(/resourceInputs\["(\w+)"\] = \(args\?\.\w+\) \?\? (.+);/g)) {
    defaults.set(m[1], m[2]);
  }
  const secretInputs = [...js.matchAll(/resourceInputs\["(\w+)"\] = args\?\.\w+ \? pulumi\.secret\(/g)].map(
    (m) => m[1],
  );
  const list = (key: string) => {
    const m = new RegExp(`${key}: \\[((?:"[^"]*",?\\s*)*)\\]`).exec(js);
    return m ? (JSON.parse(`[${m[1]}]`) as string[]) : [];
  };
  return {
    defaults,
    secretInputs: secretInputs.sort(),
    secretOutputs: list("additionalSecretOutputs").sort(),
    replaceOnChanges: list("replaceOnChanges").sort(),
  };
}

function withTypes(sdk: string, refs: { in: Set<string>; out: Set<string> }, enums: Set<string>) {
  return {
    inputTypes: objectTypes(path.join(sdk, "types", "input.d.ts"), refs.in, enums),
    outputTypes: objectTypes(path.join(sdk, "types", "output.d.ts"), refs.out, enums),
  };
}

/** A resource as the SDK declares it: module file (e.g. `container`, `local/command`) and class name. */
export function sdkResource(sdk: string, file: string, name: string): Shape {
  const dts = path.join(sdk, `${file}.d.ts`);
  const refs = { in: new Set<string>(), out: new Set<string>() };
  const enums = new Set<string>();
  const outputs = properties(named(dts, name, ts.isClassDeclaration).members, refs.out, enums, true);
  const inputs = properties(named(dts, `${name}Args`, ts.isInterfaceDeclaration).members, refs.in, enums);
  const types = withTypes(sdk, refs, enums);
  return {
    inputs,
    outputs,
    ...types,
    enums: enumValues(sdk, enums),
    ...constructorRules(fs.readFileSync(path.join(sdk, `${file}.js`), "utf8")),
  };
}

/** The provider's configuration as the SDK's Provider declares it (inputs and their defaults). */
export function sdkProvider(sdk: string): Shape {
  const dts = path.join(sdk, "provider.d.ts");
  const refs = { in: new Set<string>(), out: new Set<string>() };
  const enums = new Set<string>();
  const inputs = properties(named(dts, "ProviderArgs", ts.isInterfaceDeclaration).members, refs.in, enums);
  return {
    inputs,
    outputs: new Map(),
    ...withTypes(sdk, refs, enums),
    enums: enumValues(sdk, enums),
    ...constructorRules(fs.readFileSync(path.join(sdk, "provider.js"), "utf8")),
    secretOutputs: [],
  };
}

/** A function as the SDK declares it (`run`): plain arguments (`RunArgs`) and result (`RunResult`). */
export function sdkFunction(sdk: string, file: string, name: string): Shape {
  const dts = path.join(sdk, `${file}.d.ts`);
  const type = name.charAt(0).toUpperCase() + name.slice(1);
  const refs = { in: new Set<string>(), out: new Set<string>() };
  const enums = new Set<string>();
  const inputs = properties(named(dts, `${type}Args`, ts.isInterfaceDeclaration).members, refs.in, enums);
  // The Output form takes the same arguments, each as an Input: it must agree with the plain one.
  const outputForm = properties(
    named(dts, `${type}OutputArgs`, ts.isInterfaceDeclaration).members,
    refs.in,
    enums,
  );
  if (JSON.stringify([...outputForm]) !== JSON.stringify([...inputs])) {
    throw new Error(`${type}Args and ${type}OutputArgs disagree`);
  }
  const outputs = properties(named(dts, `${type}Result`, ts.isInterfaceDeclaration).members, refs.out, enums);
  return {
    inputs,
    outputs,
    ...withTypes(sdk, refs, enums),
    enums: enumValues(sdk, enums),
    defaults: new Map(),
    secretInputs: [],
    secretOutputs: [],
    replaceOnChanges: [],
  };
}
