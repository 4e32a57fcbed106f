// @ts-check
// Runs one of the tutorial's checks: `CHECK_SPEC='<json>' node checks/run.js`, where the spec is
// one of checks/types.d.ts's CheckSpec (the program builds them in components/Verification.ts).
// Prints ONE line of JSON, the CheckResult, on stdout; progress goes to stderr. A failed check
// exits 1 and says on stderr what was expected and what was seen, with the last log lines of the
// container concerned; a spec it cannot read exits 2. `npm run verify` calls runCheck() directly.
const { CheckFailure, UsageError } = require("./support/failure");
const { deadlineIn } = require("./support/deadline");
const { recentLogs } = require("./support/docker");
const { checkEnv } = require("./env");
const { checkHosts } = require("./hosts");
const { checkPing } = require("./ping");
const { checkHttp } = require("./http");
const { checkKeys } = require("./keys");

/** @typedef {import("./types").CheckSpec} CheckSpec */
/** @typedef {import("./types").CheckResult} CheckResult */
/** @typedef {import("./types").CheckName} CheckName */

/** @type {{ [name in CheckName]: (spec: any, deadline: import("./support/deadline").Deadline) => Promise<{ expected: string, seen: string, data: Record<string, unknown> }> }} */
const CHECKS = { env: checkEnv, hosts: checkHosts, ping: checkPing, http: checkHttp, keys: checkKeys };

/** The fields every spec of a check must have, and their types ("object" for a subject/address). */
const REQUIRED = {
  env: { in: "object", alias: "string", linkVars: "object", expected: "object" },
  hosts: { in: "object", alias: "string", expected: "object" },
  ping: { in: "object", alias: "string", address: "object" },
  http: { url: "string", requests: "number" },
  keys: { in: "object", alias: "string", keys: "object" },
};

const USAGE = "usage: CHECK_SPEC='<json>' node checks/run.js   (the spec's shape: checks/types.d.ts)";

/**
 * Reads a spec, checking the fields the runner relies on (the program makes specs; `npm run verify`
 * reads them back from the stack, so a spec of another version is told apart from a failed check).
 * @param {string | undefined} text
 * @returns {CheckSpec}
 */
function parseSpec(text) {
  if (text === undefined || text === "") throw new UsageError("CHECK_SPEC is not set");
  /** @type {any} */
  let spec;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`CHECK_SPEC is not JSON (${err instanceof Error ? err.message : err})`);
  }
  const check = /** @type {CheckName} */ (spec?.check);
  if (!Object.hasOwn(CHECKS, check)) {
    throw new UsageError(
      `CHECK_SPEC.check must be one of ${Object.keys(CHECKS).join(", ")}, got ${JSON.stringify(check)}`,
    );
  }
  if (!(typeof spec.timeoutSeconds === "number" && spec.timeoutSeconds > 0)) {
    throw new UsageError(`CHECK_SPEC.timeoutSeconds must be a positive number (check ${check})`);
  }
  for (const [field, type] of Object.entries(REQUIRED[check])) {
    if (typeof spec[field] !== type || spec[field] === null) {
      throw new UsageError(
        `CHECK_SPEC.${field} must be a${type === "object" ? "n object" : ` ${type}`} (check ${check})`,
      );
    }
  }
  return spec;
}

/**
 * Runs one check now. A check that did not see what it expected is a result with ok false, and
 * `failure` holds the lines that explain it (expected, seen, details, the logs of the container
 * concerned). Rejects only when the check could not run at all (e.g. no docker CLI).
 * @param {CheckSpec} spec
 * @returns {Promise<{ result: CheckResult, failure?: string[] }>}
 */
async function runCheck(spec) {
  const checkedAt = new Date().toISOString();
  try {
    const outcome = await CHECKS[spec.check](spec, deadlineIn(spec.timeoutSeconds));
    const result = /** @type {CheckResult} */ (
      /** @type {unknown} */ ({ check: spec.check, ok: true, ...outcome, checkedAt, spec })
    );
    return { result };
  } catch (err) {
    if (!(err instanceof CheckFailure)) throw err;
    const failure = [
      `check ${spec.check} failed: ${err.message}`,
      `  expected: ${err.expected}`,
      `  seen:     ${err.seen}`,
      ...err.details.map((d) => `  - ${d}`),
    ];
    if (err.container) failure.push(await recentLogs(err.container));
    // A failed check may have seen less than its data type holds.
    const result = /** @type {CheckResult} */ (
      /** @type {unknown} */ ({
        check: spec.check,
        ok: false,
        expected: err.expected,
        seen: err.seen,
        data: err.data,
        checkedAt,
        spec,
      })
    );
    return { result, failure };
  }
}

/**
 * The command's entry point: sets the exit code (0 ok, 1 failed, 2 usage).
 * @param {NodeJS.ProcessEnv} env
 */
async function main(env) {
  /** @type {CheckSpec} */
  let spec;
  try {
    spec = parseSpec(env.CHECK_SPEC);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`checks/run.js: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const { result, failure } = await runCheck(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (failure) {
    process.stderr.write(`${failure.join("\n")}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main(process.env).catch((err) => {
    process.stderr.write(`checks/run.js: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}

module.exports = { parseSpec, runCheck };
