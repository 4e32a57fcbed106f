// Hostile configuration values (quotes, spaces, command substitution, `;rm -rf /`, backticks,
// newlines, control and bidi characters, 100 KB strings, huge and odd numbers) are rejected by
// parseConfig (lib/config.ts) with the key named, every key of CONFIG_KEYS in turn, so a key added
// later is covered too. And none reaches a shell unquoted: under Pulumi's mocks the whole program is
// run with distinctive (valid) values for every key, and no command resource's script (create,
// update, delete) contains any of them; they travel in the command's `environment`, and every variable
// a script expands is inside double quotes.
//
// Why mocks rather than reading components/*.ts: the scripts are built at run time (template literals,
// joined arrays), and what matters is the string the command provider hands to `sh -c`. The mocks see
// exactly that string, whichever component builds it, and never run anything.
import { COMMAND, loadProgram, recordingMocks } from "./program";
import {
  CONFIG_KEYS,
  ConfigKeySpec,
  InvalidConfigError,
  LINK_MODES,
  parseConfig,
  TARGETS,
} from "../../lib/config";

const NAMESPACE = "container-links";

/** Values a shell, a YAML file or a terminal would treat specially. None is valid for any key. */
const SHELL_HOSTILE: Record<string, string> = {
  "double quotes": 'has "double quotes"',
  "single quote": "it's",
  space: "with space",
  "leading space": " redis",
  "trailing space": "redis ",
  tab: "a\tb",
  "command substitution": "$(id)",
  "command separator": ";rm -rf /",
  backticks: "`id`",
  "parameter expansion": "${IFS}cat${IFS}/etc/passwd",
  variable: "$HOME",
  pipe: "a|nc 10.0.0.1 4444",
  "and list": "redis&&reboot",
  redirection: "a>/etc/passwd",
  newline: "redis\nrm -rf /",
  "carriage return": "redis\r\nX-Injected: 1",
  "NUL byte": "redis\u0000",
  "escape sequence": "redis\u001b[2J",
  "bidi override": "redis\u202egnp.exe",
  "option-like": "--privileged",
  glob: "*",
  tilde: "~root",
  "100 KB": "a".repeat(100 * 1024),
};

/** Odd numbers for the integer keys (ports, counts, seconds). */
const NUMBER_HOSTILE: Record<string, string> = {
  huge: "99999999999999999999999",
  "2^32": "4294967296",
  "beyond 2^53": "9007199254740993",
  "port range + 1": "65536",
  zero: "0",
  negative: "-1",
  exponent: "1e3",
  hex: "0x10",
  octal: "010",
  fraction: "3.5",
  plus: "+80",
  padded: " 80 ",
  infinity: "Infinity",
  "not a number": "NaN",
};

function casesFor(spec: ConfigKeySpec): [string, string][] {
  const shell = Object.entries(SHELL_HOSTILE);
  return spec.type === "integer" ? [...shell, ...Object.entries(NUMBER_HOSTILE)] : shell;
}

const TABLE = CONFIG_KEYS.flatMap((spec) =>
  casesFor(spec).map(([what, value]) => ({ key: spec.key, secret: spec.secret ?? false, what, value })),
);

describe("parseConfig rejects hostile values, naming the key", () => {
  test("the table covers every key", () => {
    expect(new Set(TABLE.map((c) => c.key))).toEqual(new Set(CONFIG_KEYS.map((k) => k.key)));
  });

  test.each(TABLE)("$key: $what", ({ key, secret, value }) => {
    let thrown: unknown;
    try {
      parseConfig((k) => (k === key ? value : undefined));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidConfigError);
    const { errors, message } = thrown as InvalidConfigError;
    // Exactly one problem, for this key: the value was refused, not passed on to trip something later.
    expect(errors.map((e) => e.key)).toEqual([key]);
    expect(message).toContain(`${NAMESPACE}:${key}: `);
    // The message is safe to print: printable ASCII on each line, bounded whatever the value's size.
    for (const line of message.split("\n")) expect(line).toMatch(/^[\x20-\x7e]*$/);
    expect(message.length).toBeLessThan(1_000);
    if (secret) {
      expect(errors[0].value).toBe("(secret)");
      expect(message).not.toContain(value);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The program under mocks: no config value in any command script

/**
 * Valid values, each distinctive enough that finding it inside a script cannot be a coincidence, and
 * using the punctuation each rule allows (dots, underscores, registry ports, password symbols).
 */
const PLANTED: Record<string, string> = {
  redisName: "itopsq.redis_srv1",
  appName: "itopsq.counter_app2",
  cliName: "itopsq.redis_cli3",
  probeName: "itopsq.link_probe4",
  networkName: "itopsq.net_5",
  dataVolume: "itopsq.data_6",
  linkAlias: "itopsq-alias7",
  redisImage: "localhost:5123/itopsq/redis_8:t.8",
  nodeImage: "localhost:5123/itopsq/node_9:t-9",
  probeImage: "localhost:5123/itopsq/busybox_10:t_10",
  networkSubnet: "10.213.77.0/24",
  appPort: "41873",
  checkRequests: "777",
  readyTimeoutSeconds: "1777",
  redisPassword: "itopsq+Pw/11=x.y_z-11",
};

/** `docker image inspect --format '{{json .Config}}'` of the Redis image, as far as a link copies it. */
const REDIS_IMAGE_CONFIG = { Env: ["REDIS_VERSION=7.0.15"], ExposedPorts: { "6379/tcp": {} } };

/** The stdout each command would print: what the program parses it as. */
function mockStdout(name: string): string {
  if (name.endsWith("-image-config")) return JSON.stringify(REDIS_IMAGE_CONFIG);
  const check = /^verify-(\w+)$/.exec(name)?.[1];
  if (check) return JSON.stringify({ check, ok: true, expected: "", seen: "", data: {} });
  // The app image build prints an image ID.
  return `sha256:${"0".repeat(64)}`;
}

interface CommandScripts {
  name: string;
  scripts: Record<string, string>;
  environment: Record<string, string>;
}

/** Runs index.ts under mocks with `config` and returns every command it registered. */
async function commandsOf(config: Record<string, string>, secretKeys: string[]): Promise<CommandScripts[]> {
  const { pulumi, program, registrations } = await loadProgram(config, recordingMocks(mockStdout), {
    secrets: secretKeys,
  });
  // Everything the checks depend on is registered once the verification output resolves.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the program's outputs did not resolve within 20 s")),
      20_000,
    );
    pulumi.output(program.verification).apply(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return registrations
    .filter((r) => r.type === COMMAND)
    .map(({ name, inputs }) => ({
      name,
      scripts: Object.fromEntries(
        ["create", "update", "delete"].flatMap((field) =>
          typeof inputs[field] === "string" ? [[field, inputs[field] as string]] : [],
        ),
      ),
      environment: (inputs.environment ?? {}) as Record<string, string>,
    }));
}

/**
 * Parameter expansions ($NAME, ${NAME}) of a POSIX shell script that are not inside double quotes,
 * where the shell would split and glob their values. Command substitutions are code, not data.
 */
function unquotedExpansions(script: string): string[] {
  const found: string[] = [];
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === "\\") {
      i++;
    } else if (c === '"') {
      quote = quote === '"' ? undefined : '"';
    } else if (c === "'" && quote === undefined) {
      quote = "'";
    } else if (c === "$" && quote === undefined && /[A-Za-z_{]/.test(script[i + 1] ?? "")) {
      found.push(/^\$(\{[^}]*\}|\w+)/.exec(script.slice(i))?.[0] ?? script.slice(i, i + 10));
    }
  }
  return found;
}

describe("unquotedExpansions", () => {
  test.each([
    ['docker image inspect "$IMAGE"', []],
    ["echo '$NOT_EXPANDED'", []],
    ['out=$(docker image rm "$TAG" 2>&1) || echo "warning: $TAG $out"', []],
    ["docker build --tag $TAG .", ["$TAG"]],
    ['echo "${A}" ${B}', ["${B}"]],
  ])("%s", (script, expected) => {
    expect(unquotedExpansions(script)).toEqual(expected);
  });
});

/** Every target in every link mode it supports (swarm services have no legacy links). */
const SHAPES = TARGETS.flatMap((target) =>
  LINK_MODES.filter((linkMode) => !(target === "swarm" && linkMode === "legacy")).map((linkMode) => ({
    target,
    linkMode,
  })),
);

describe.each(SHAPES)(
  "the program (target $target, linkMode $linkMode): no config value in any command script",
  (shape) => {
    let commands: CommandScripts[];

    beforeAll(async () => {
      commands = await commandsOf({ ...PLANTED, ...shape }, ["redisPassword"]);
    }, 60_000);

    test("the program creates commands (the app build and the five checks, at least)", () => {
      expect(commands.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          "counter-app-image",
          "verify-env",
          "verify-hosts",
          "verify-ping",
          "verify-http",
          "verify-keys",
        ]),
      );
    });

    test("no script contains a config value", () => {
      const hits = commands.flatMap(({ name, scripts }) =>
        Object.entries(scripts).flatMap(([field, script]) =>
          Object.entries(PLANTED)
            .filter(([, value]) => script.includes(value))
            .map(([key]) => `${name}.${field} contains ${key}`),
        ),
      );
      expect(hits).toEqual([]);
    });

    test("config values reach the commands through their environment instead", () => {
      const environment = commands.flatMap((c) => Object.values(c.environment)).join("\n");
      for (const key of [
        "appName",
        "cliName",
        "probeName",
        "linkAlias",
        "nodeImage",
        "appPort",
        "readyTimeoutSeconds",
      ]) {
        expect({ key, inEnvironment: environment.includes(PLANTED[key]) }).toEqual({
          key,
          inEnvironment: true,
        });
      }
      // The password is not given to any command at all (redis-cli has it in its own container env).
      expect(environment).not.toContain(PLANTED.redisPassword);
    });

    test("every variable a script expands is double-quoted", () => {
      const unquoted = commands.flatMap(({ name, scripts }) =>
        Object.entries(scripts).flatMap(([field, script]) =>
          unquotedExpansions(script).map((v) => `${name}.${field}: ${v}`),
        ),
      );
      expect(unquoted).toEqual([]);
    });
  },
);
