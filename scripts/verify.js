// @ts-check
// `npm run verify [-- --stack <name>] [--recorded] [--timeout <seconds>]`: the tutorial's five
// checks as a table. By default they run NOW against the live containers, with the expectations
// the stack's last update recorded (each result in the `verification` output carries its spec), so
// a container removed, stopped or replaced by hand since then fails. `--recorded` prints what the
// last update saw instead, labelled with when. Exits 0 only when every check is ok; 1 when one is
// not or the stack is not up; 2 on bad arguments.
const { execFile } = require("node:child_process");
const path = require("node:path");
const { parseSpec, runCheck } = require("../checks/run");
const { UsageError } = require("../checks/support/failure");

const REPO_ROOT = path.join(__dirname, "..");
const PULUMI = path.join(REPO_ROOT, "bin", "pulumi");
const DEFAULT_STACK = "dev";
/** @type {import("../checks/types").CheckName[]} */
const CHECK_ORDER = ["env", "hosts", "ping", "http", "keys"];
/** Reading a local file-backend stack takes seconds; this only guards against a hang. */
const PULUMI_TIMEOUT_MS = 120000;
/** A live system is ready already: a check of now waits this long at most, not the minute `up` allows. */
const DEFAULT_TIMEOUT_SECONDS = 10;

const USAGE =
  "usage: npm run verify [-- --stack <name>] [--recorded] [--timeout <seconds>]\n" +
  "  checks the live system now (default stack: dev); --recorded shows what the last update saw";

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
 * @returns {value is Record<string, any>}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A table cell: the text on one line ("-" when there is none).
 * @param {unknown} value
 */
function cell(value) {
  if (value === undefined || value === null || value === "") return "-";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The rows of the report, one per check in the usual order; a check missing is a row with ok false.
 * @param {Record<string, unknown>} results check name → result
 * @returns {{ check: string, expected: string, seen: string, ok: boolean }[]}
 */
function reportRows(results) {
  return CHECK_ORDER.map((check) => {
    const entry = results[check];
    if (!isObject(entry)) return { check, expected: "(no result)", seen: "(no result)", ok: false };
    return { check, expected: cell(entry.expected), seen: cell(entry.seen), ok: entry.ok === true };
  });
}

/**
 * The report: a plain-text table (check | expected | seen | ok), columns padded with spaces, then an
 * overall line. `color` only paints the ok column and the overall line; alignment is the same.
 * @param {Record<string, unknown>} results check name → result
 * @param {{ color?: boolean }} [options]
 * @returns {string} ends with a newline
 */
function formatReport(results, { color = false } = {}) {
  const rows = reportRows(results);
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
 * @returns {{ stack: string, recorded: boolean, timeoutSeconds: number, help: boolean }}
 */
function parseArgs(args) {
  const options = {
    stack: DEFAULT_STACK,
    recorded: false,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") ? args[i].split(/=(.*)/s, 2) : [args[i], undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (!v) throw new VerifyError(`${flag} needs a value\n${USAGE}`, 2);
      return v;
    };
    if (flag === "-h" || flag === "--help") options.help = true;
    else if (flag === "--recorded") options.recorded = true;
    else if (flag === "--stack" || flag === "-s") options.stack = value();
    else if (flag === "--timeout") {
      const text = value();
      options.timeoutSeconds = Number(text);
      if (!/^\d+$/.test(text) || options.timeoutSeconds < 1) {
        throw new VerifyError(
          `--timeout must be a whole number of seconds, got ${JSON.stringify(text)}\n${USAGE}`,
          2,
        );
      }
    } else throw new VerifyError(`unknown argument ${JSON.stringify(args[i])}\n${USAGE}`, 2);
  }
  return options;
}

/**
 * What to tell the user when `pulumi stack output verification` failed.
 * @param {string} stack
 * @param {string} stderr what the Pulumi CLI printed
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
 * The outputs of `stack` (`verification`, `redis`, ...), read with the project's pinned Pulumi CLI.
 * @param {string} stack
 * @returns {Promise<Record<string, any>>}
 */
function readOutputs(stack) {
  const args = ["stack", "output", "--json", "--stack", stack];
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
          let output;
          try {
            output = JSON.parse(`${stdout}`);
          } catch {
            reject(new VerifyError(`bin/pulumi printed something that is not JSON: ${`${stdout}`.trim()}`));
            return;
          }
          if (!isObject(output) || !isObject(output.verification)) {
            // A stack that was destroyed, or never brought up, has no outputs.
            reject(
              new VerifyError(describePulumiFailure(stack, "does not have output property verification")),
            );
          } else resolve(output);
        }
      },
    );
  });
}

/**
 * Runs every recorded spec again, now, in the usual order (KEYS * after the requests), each bounded
 * by `timeoutSeconds` at most. A check whose spec is missing is a failed row.
 * @param {Record<string, any>} recorded the `verification` output
 * @param {number} timeoutSeconds
 * @returns {Promise<{ results: Record<string, unknown>, failures: string[] }>}
 */
async function checkNow(recorded, timeoutSeconds) {
  /** @type {Record<string, unknown>} */
  const results = {};
  /** @type {string[]} */
  const failures = [];
  for (const check of CHECK_ORDER) {
    const spec = recorded[check]?.spec;
    if (!isObject(spec)) {
      failures.push(
        `check ${check}: the stack recorded no spec for it (an update from an older version?): run npm run up`,
      );
      continue;
    }
    // The spec was read back from the stack: it gets the same scrutiny as the command's input.
    let checked;
    try {
      checked = parseSpec(
        JSON.stringify({ ...spec, timeoutSeconds: Math.min(spec.timeoutSeconds, timeoutSeconds) }),
      );
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      failures.push(`check ${check}: the recorded spec cannot be run (${err.message}): run npm run up`);
      continue;
    }
    const { result, failure } = await runCheck(checked);
    results[check] = result;
    if (failure) failures.push(...failure);
  }
  return { results, failures };
}

async function main() {
  const { stack, recorded, timeoutSeconds, help } = parseArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const outputs = await readOutputs(stack);
  const verification = outputs.verification;
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  /** @type {Record<string, unknown>} */
  let results = verification;
  if (recorded) {
    process.stdout.write(
      `checks of the ${stack} stack as its last update recorded them at ${cell(verification.checkedAt)} ` +
        "(a record, not the system now; `npm run verify` checks now):\n\n",
    );
  } else {
    process.stdout.write(
      `checks of the ${stack} stack, run now (${new Date().toISOString()}) against the live containers:\n\n`,
    );
    const now = await checkNow(verification, timeoutSeconds);
    results = now.results;
    if (now.failures.length > 0) process.stderr.write(`${now.failures.join("\n")}\n\n`);
  }
  process.stdout.write(formatReport(results, { color }));
  if (outputs.redis?.auth === "none") {
    process.stdout.write(
      "\nRedis auth: none (redisAuth: none): Redis has no password; every container on the stack's " +
        "network or linked to Redis can read and write all its data (docs/config.md)\n",
    );
  }
  if (!reportRows(results).every((row) => row.ok)) {
    process.stderr.write(
      recorded
        ? "the last update recorded failures (pulumi up reports their details)\n"
        : "the system differs from what the stack made: `npm run up` makes it so again\n",
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

module.exports = { checkNow, describePulumiFailure, formatReport, parseArgs, reportRows };
