// @ts-check
// What the checks saw against what the stack expects: the differences, in words. Pure.

/** @typedef {import("./parse").HostsLine} HostsLine */

/**
 * @typedef {object} EnvDifference
 * @property {string} key
 * @property {"missing" | "unexpected" | "different"} kind
 * @property {string} [expected]
 * @property {string} [seen]
 */

/**
 * How `seen` differs from `expected`: keys that are missing, unexpected, or have another value,
 * sorted by key.
 * @param {Record<string, string>} expected
 * @param {Record<string, string>} seen
 * @returns {EnvDifference[]}
 */
function compareEnv(expected, seen) {
  /** @type {EnvDifference[]} */
  const differences = [];
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(seen)])].sort();
  for (const key of keys) {
    const inExpected = Object.hasOwn(expected, key);
    const inSeen = Object.hasOwn(seen, key);
    if (inExpected && !inSeen) differences.push({ key, kind: "missing", expected: expected[key] });
    else if (!inExpected && inSeen) differences.push({ key, kind: "unexpected", seen: seen[key] });
    else if (expected[key] !== seen[key]) {
      differences.push({ key, kind: "different", expected: expected[key], seen: seen[key] });
    }
  }
  return differences;
}

/**
 * One line per difference, e.g. `REDIS_NAME: expected "/web/redis", seen "/app/redis"`.
 * @param {EnvDifference[]} differences
 * @returns {string[]}
 */
function describeEnvDifferences(differences) {
  return differences.map((d) => {
    if (d.kind === "missing") return `${d.key}: missing (expected ${JSON.stringify(d.expected)})`;
    if (d.kind === "unexpected") return `${d.key}: unexpected (seen ${JSON.stringify(d.seen)})`;
    return `${d.key}: expected ${JSON.stringify(d.expected)}, seen ${JSON.stringify(d.seen)}`;
  });
}

/**
 * What is wrong with the alias's /etc/hosts records when exactly one, `expected`, should be there
 * (same address, same names in the same order); an empty list when all is well.
 * @param {HostsLine} expected
 * @param {HostsLine[]} seen the records that name the alias
 * @returns {string[]}
 */
function compareHostsLines(expected, seen) {
  if (seen.length === 0) return [`no line for the alias; expected "${formatHostsLine(expected)}"`];
  if (seen.length > 1) {
    return [
      `${seen.length} lines for the alias (${seen.map((l) => `"${formatHostsLine(l)}"`).join(", ")}); ` +
        `expected exactly one: "${formatHostsLine(expected)}"`,
    ];
  }
  const [line] = seen;
  const problems = [];
  if (line.ip !== expected.ip) problems.push(`address: expected ${expected.ip}, seen ${line.ip}`);
  if (line.names.join(" ") !== expected.names.join(" ")) {
    problems.push(`names: expected "${expected.names.join(" ")}", seen "${line.names.join(" ")}"`);
  }
  return problems;
}

/**
 * A hosts record as one line, fields separated by single spaces.
 * @param {HostsLine} line
 * @returns {string}
 */
function formatHostsLine(line) {
  return [line.ip, ...line.names].join(" ");
}

/**
 * Whether every number is the previous one plus one (true for a single number, false for none).
 * @param {number[]} numbers
 * @returns {boolean}
 */
function isStrictlyIncreasingByOne(numbers) {
  return (
    numbers.length > 0 &&
    numbers.every((n, i) => Number.isInteger(n) && (i === 0 || n === numbers[i - 1] + 1))
  );
}

/**
 * `count` consecutive integers from `first`.
 * @param {number} first
 * @param {number} count
 * @returns {number[]}
 */
function consecutiveFrom(first, count) {
  return Array.from({ length: count }, (_, i) => first + i);
}

module.exports = {
  compareEnv,
  compareHostsLines,
  consecutiveFrom,
  describeEnvDifferences,
  formatHostsLine,
  isStrictlyIncreasingByOne,
};
