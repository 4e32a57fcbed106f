// @ts-check
// `npm run verify [-- --stack <name>]`: the tutorial's five checks as the last `pulumi up` recorded
// them (the stack output `verification`, made by checks/run.js), shown as a table. Exits 0 only when
// every check is ok; 1 when one is not or the stack has no such output; 2 on bad arguments.
const { execFile } = require("node:child_process");
const path = require("node:path");

const REPO_ROOT = path.join(__dirname, "..");
const PULUMI = path.join(REPO_ROOT, "bin", "pulumi");
const DEFAULT_STACK = "dev";
const CHECK_ORDER = ["env", "hosts", "ping", "http", "keys"];
/** Reading a local file-backend stack takes seconds; this only guards against a hang. */
const PULUMI_TIMEOUT_MS = 120000;

const USAGE = "usage: npm run verify [-- --stack <name>]   (default stack: dev)";

const GREEN = "\u001b[32m";
const RED = "\u001b[31m";
const BOLD = "\u001b[1m";
const RESET = "\u001b[0m";

/** A problem that ends the script with a message and an exit code. */
class VerifyError extends Error {
  /**
   * @param {string} message
   * @param {number} [exitCode]
   */
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A table cell: the text on one line ("-" when there is none).
 * @param {unknown} value
 * @returns {string}
 */
function cell(value) {
  if (value === undefined || value === null || value === "") return "-";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The rows of the report, one per check in the usual order; a check missing from the output is a
 * row with ok false.
 * @param {unknown} verification
 * @returns {{ check: string, expected: string, seen: string, ok: boolean }[]}
 */
function reportRows(verification) {
  const results = isObject(verification) ? verification : {};
  return CHECK_ORDER.map((check) => {
    const entry = results[check];
    if (!isObject(entry)) return { check, expected: "(no result)", seen: "(no result)", ok: false };
    return { check, expected: cell(entry.expected), seen: cell(entry.seen), ok: entry.ok === true };
  });
}

/**
 * Whether every one of the five checks is there and ok.
 * @param {unknown} verification
 * @returns {boolean}
 */
function verificationOk(verification) {
  return reportRows(verification).every((row) => row.ok);
}

/**
 * The report: a plain-text table (check | expected | seen | ok), columns padded with spaces, then an
 * overall line. `color` only paints the ok column and the overall line; alignment is the same.
 * @param {unknown} verification the `verification` stack output: { env, hosts, ping, http, keys, ok }
 * @param {{ color?: boolean }} [options]
 * @returns {string} ends with a newline
 */
function formatReport(verification, { color = false } = {}) {
  const rows = reportRows(verification);
  const header = ["check", "expected", "seen", "ok"];
  const body = rows.map((r) => [r.check, r.expected, r.seen, String(r.ok)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  /** @param {string} text @param {string} code */
  const paint = (text, code) => (color ? `${code}${text}${RESET}` : text);
  /** @param {string[]} cells @param {(text: string) => string} [last] */
  const line = (cells, last = (t) => t) =>
    [...cells.slice(0, -1).map((c, i) => c.padEnd(widths[i])), last(cells[cells.length - 1])].join("  ");

  const failed = rows.filter((r) => !r.ok).map((r) => r.check);
  const overall =
    failed.length === 0
      ? paint(`overall: ok (${rows.length} of ${rows.length} checks passed)`, GREEN)
      : paint(
          `overall: FAILED (${failed.length} of ${rows.length} checks not ok: ${failed.join(", ")})`,
          RED,
        );
  return [
    line(header, (t) => paint(t, BOLD)),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map((cells, i) => line(cells, (t) => paint(t, rows[i].ok ? GREEN : RED))),
    "",
    overall,
    "",
  ].join("\n");
}

/**
 * @param {string[]} args command-line arguments after the script name
 * @returns {{ stack: string, help: boolean }}
 */
function parseArgs(args) {
  let stack = DEFAULT_STACK;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") return { stack, help: true };
    if (arg === "--stack" || arg === "-s") {
      const value = args[++i];
      if (!value) throw new VerifyError(`${arg} needs a stack name\n${USAGE}`, 2);
      stack = value;
    } else if (arg.startsWith("--stack=")) {
      stack = arg.slice("--stack=".length);
      if (!stack) throw new VerifyError(`--stack needs a stack name\n${USAGE}`, 2);
    } else {
      throw new VerifyError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`, 2);
    }
  }
  return { stack, help: false };
}

/**
 * What to tell the user when `pulumi stack output verification` failed.
 * @param {string} stack
 * @param {string} stderr what the Pulumi CLI printed
 * @returns {string}
 */
function describePulumiFailure(stack, stderr) {
  const bringUp = stack === DEFAULT_STACK ? "run npm run up" : `run ./bin/pulumi up --stack ${stack}`;
  if (/no stack named/i.test(stderr)) return `the ${stack} stack does not exist, so it is not up: ${bringUp}`;
  if (/does not have output property|output property .* not found/i.test(stderr)) {
    return `the ${stack} stack is not up (it has no verification output): ${bringUp}`;
  }
  const said = stderr.replace(/\s+/g, " ").trim();
  return `could not read the verification output of the ${stack} stack${said ? `: ${said}` : ""}`;
}

/**
 * Reads the `verification` output of `stack` with the project's pinned Pulumi CLI.
 * @param {string} stack
 * @returns {Promise<Record<string, unknown>>}
 */
function readVerification(stack) {
  const args = ["stack", "output", "verification", "--json", "--stack", stack];
  return new Promise((resolve, reject) => {
    execFile(
      PULUMI,
      args,
      { cwd: REPO_ROOT, timeout: PULUMI_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error?.killed) {
          reject(
            new VerifyError(
              `bin/pulumi ${args.join(" ")} did not finish within ${PULUMI_TIMEOUT_MS / 1000} s`,
            ),
          );
        } else if (error && typeof error.code === "string") {
          reject(new VerifyError(`cannot run ${PULUMI}: ${error.message}`));
        } else if (error) {
          reject(new VerifyError(describePulumiFailure(stack, `${stderr}`)));
        } else {
          try {
            resolve(interpretOutput(stack, JSON.parse(`${stdout}`)));
          } catch (err) {
            reject(
              err instanceof VerifyError
                ? err
                : new VerifyError(`bin/pulumi printed something that is not JSON: ${`${stdout}`.trim()}`),
            );
          }
        }
      },
    );
  });
}

/**
 * @param {string} stack
 * @param {unknown} output the parsed JSON of `pulumi stack output verification --json`
 * @returns {Record<string, unknown>}
 */
function interpretOutput(stack, output) {
  if (output === "[secret]") {
    throw new VerifyError(`the verification output of the ${stack} stack is marked secret; it should not be`);
  }
  if (!isObject(output)) {
    throw new VerifyError(
      `the ${stack} stack's verification output is not an object: ${JSON.stringify(output)}`,
    );
  }
  return output;
}

async function main() {
  const { stack, help } = parseArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const verification = await readVerification(stack);
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  process.stdout.write(`checks of the ${stack} stack, as of its last update:\n\n`);
  process.stdout.write(formatReport(verification, { color }));
  if (!verificationOk(verification)) {
    process.stderr.write(
      "some checks are not ok; see above (pulumi up reports the details of a failing check)\n",
    );
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`verify: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof VerifyError ? err.exitCode : 1;
  });
}

module.exports = {
  CHECK_ORDER,
  formatReport,
  verificationOk,
  parseArgs,
  describePulumiFailure,
  interpretOutput,
};
