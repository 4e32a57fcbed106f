// @ts-check
// Tutorial: `docker run --link redis-server:redis alpine env`. The linked container has exactly the
// link variables `docker run --link` would set (none with a network alias or on a swarm).
const { CheckFailure } = require("./support/failure");
const { execInSubject } = require("./support/wait");
const { compareEnv, describeEnvDifferences } = require("./support/compare");
const { parseEnv } = require("./support/parse");

/** @typedef {import("./types").EnvSpec} EnvSpec */
/** @typedef {import("./support/deadline").Deadline} Deadline */

/**
 * A set of link variables in a few words: the count and the `<A>_PORT` value when there is one.
 * @param {Record<string, string>} vars
 * @param {string} prefix
 */
function describeVars(vars, prefix) {
  const count = Object.keys(vars).length;
  if (count === 0) return `no ${prefix}_* link variables`;
  const port = vars[`${prefix}_PORT`];
  return `${count} ${prefix}_* link variable${count === 1 ? "" : "s"}${port === undefined ? "" : `, ${prefix}_PORT=${port}`}`;
}

/**
 * @param {EnvSpec} spec
 * @param {Deadline} deadline
 */
async function checkEnv(spec, deadline) {
  const { prefix, pattern } = spec.linkVars;
  const none = Object.keys(spec.expected).length === 0;
  const expected = none
    ? `no ${prefix}_* link variables${spec.noneBecause ? ` (${spec.noneBecause})` : ""}`
    : `exactly ${describeVars(spec.expected, prefix)}`;
  const { container, out } = await execInSubject(spec.in, ["env"], deadline, { expected });
  const vars = parseEnv(out.stdout, new RegExp(pattern));
  const data = { container, vars, ...("service" in spec.in ? { service: spec.in.service } : {}) };
  const differences = describeEnvDifferences(compareEnv(spec.expected, vars));
  if (differences.length > 0) {
    const first = differences.length > 3 ? ", first" : "";
    throw new CheckFailure(`the ${prefix}_* link variables in container ${container} are not as expected`, {
      expected,
      seen: `${describeVars(vars, prefix)}; ${differences.length} differ${first}: ${differences.slice(0, 3).join("; ")}`,
      details: differences,
      container,
      data,
    });
  }
  const seen = none
    ? `${describeVars(vars, prefix)} in ${container}${spec.noneBecause ? ` (${spec.noneBecause})` : ""}`
    : `${describeVars(vars, prefix)}, all as expected`;
  return { expected, seen, data };
}

module.exports = { checkEnv };
