// How a configuration problem is reported: one ConfigError per problem, all of them thrown together
// as one InvalidConfigError. A line names the fully qualified key and shows the value safely, e.g.
//   container-links:appPort: "70000" is not an integer in 1-65535
import { CONFIG_NAMESPACE } from "./schema";

const MAX_SHOWN_CHARS = 60;

/**
 * A value made safe to print: JSON-quoted, every character outside printable ASCII escaped (so no
 * newlines, terminal escapes or bidi overrides reach the console), and cut to 60 characters.
 */
export function showValue(raw: string): string {
  const chars = Array.from(raw);
  const head = chars.slice(0, MAX_SHOWN_CHARS).join("");
  const quoted = JSON.stringify(head).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return chars.length > MAX_SHOWN_CHARS ? `${quoted}... (${chars.length} characters)` : quoted;
}

/** What a message shows instead of a secret's value (not even its length). */
export const SECRET_SHOWN = "(secret)";

/** One problem with one key. */
export class ConfigError extends Error {
  /** Bare key, e.g. "appPort" (for an unknown key, the key as set). */
  readonly key: string;
  /** The value as shown in the message (quoted, escaped, truncated); "(secret)" for secret keys. */
  readonly value: string;

  constructor(key: string, value: string, problem: string, namespace: string = CONFIG_NAMESPACE) {
    // A key is shown as is when it looks like one; an unknown key could be anything.
    const shownKey = /^[A-Za-z0-9_.-]{1,100}$/.test(key) ? key : showValue(key);
    super(`${namespace}:${shownKey}: ${value} ${problem}`);
    this.name = "ConfigError";
    this.key = key;
    this.value = value;
  }
}

/** Everything wrong with the configuration; thrown by parseConfig, even for a single problem. */
export class InvalidConfigError extends AggregateError {
  declare readonly errors: ConfigError[];

  constructor(errors: ConfigError[]) {
    const n = errors.length;
    super(
      errors,
      `invalid stack configuration (${n} problem${n === 1 ? "" : "s"}; change with \`pulumi config set <key> <value>\` or remove with \`pulumi config rm <key>\`):\n` +
        errors.map((e) => `  ${e.message}`).join("\n"),
    );
    this.name = "InvalidConfigError";
  }
}
