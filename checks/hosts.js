// @ts-check
// Tutorial: `docker run --link redis-server:redis alpine cat /etc/hosts`. A legacy link writes one
// line naming the alias, the source's hostname and its name; a network alias writes none, and
// Docker's DNS resolves the alias instead.
const { CheckFailure } = require("./support/failure");
const { execInSubject, resolveAddress } = require("./support/wait");
const { compareHostsLines, formatHostsLine } = require("./support/compare");
const { parseHosts, parseHostsRecords } = require("./support/parse");

/** @typedef {import("./types").HostsSpec} HostsSpec */
/** @typedef {import("./types").HostsLine} HostsLine */
/** @typedef {import("./support/deadline").Deadline} Deadline */

/**
 * @param {HostsSpec} spec
 * @param {Deadline} deadline
 */
async function checkHosts(spec, deadline) {
  const { alias } = spec;
  const service = "service" in spec.in ? { service: spec.in.service } : {};
  if ("line" in spec.expected) {
    const wanted = spec.expected.line;
    const expected = `one /etc/hosts line "${formatHostsLine(wanted)}"`;
    const { container, lines } = await aliasLines(spec, deadline, expected);
    const seen =
      lines.length === 0
        ? `no /etc/hosts line names ${alias}`
        : `${lines.length === 1 ? "/etc/hosts line" : `${lines.length} /etc/hosts lines:`} ${quoted(lines)}`;
    const data = { container, lines, ...service };
    const problems = compareHostsLines(wanted, lines);
    if (problems.length > 0) {
      throw new CheckFailure(`/etc/hosts in container ${container} is not as expected for ${alias}`, {
        expected,
        seen,
        details: problems,
        container,
        data,
      });
    }
    return { expected, seen, data };
  }

  const { via } = spec.expected;
  const address = await resolveAddress(spec.expected.resolvesTo, deadline);
  const expected = `no /etc/hosts line for ${alias}; getent hosts ${alias} gives ${address} (${via})`;
  const { container, lines } = await aliasLines(spec, deadline, expected);
  if (lines.length > 0) {
    throw new CheckFailure(`/etc/hosts in container ${container} names ${alias}`, {
      expected,
      seen: `/etc/hosts names ${alias}: ${quoted(lines)}`,
      details: ["a network alias is resolved by Docker's DNS; an /etc/hosts line means a link or extra host"],
      container,
      data: { container, lines, ...service },
    });
  }
  // On a swarm, the task may have been replaced since: getent runs in one that runs now.
  const resolved = await execInSubject(spec.in, ["getent", "hosts", alias], deadline, {
    expected,
    accept: (out) => (parseHostsRecords(out.stdout).length > 0 ? undefined : "no address"),
  });
  const addresses = parseHostsRecords(resolved.out.stdout).map((record) => record.ip);
  const seenAddress = addresses.includes(address) ? address : addresses[0];
  const seen = `no /etc/hosts line for ${alias}; getent hosts ${alias} gives ${addresses.join(", ")} in ${resolved.container} (${via})`;
  const data = { container, lines, address: seenAddress, ...service };
  if (seenAddress !== address) {
    throw new CheckFailure(`${alias} resolves to the wrong address in container ${resolved.container}`, {
      expected,
      seen,
      container: resolved.container,
      data,
    });
  }
  return { expected, seen, data };
}

/**
 * `cat /etc/hosts` in the container the spec names: the lines that name the alias.
 * @param {HostsSpec} spec
 * @param {Deadline} deadline
 * @param {string} expected
 * @returns {Promise<{ container: string, lines: HostsLine[] }>}
 */
async function aliasLines(spec, deadline, expected) {
  const { container, out } = await execInSubject(spec.in, ["cat", "/etc/hosts"], deadline, { expected });
  return { container, lines: parseHosts(out.stdout, spec.alias) };
}

/** @param {HostsLine[]} lines */
function quoted(lines) {
  return lines.map((line) => `"${formatHostsLine(line)}"`).join(", ");
}

module.exports = { checkHosts };
