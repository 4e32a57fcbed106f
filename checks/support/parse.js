// @ts-check
// What the containers print, read: `env`, `cat /etc/hosts`, `getent hosts`, `ping -c 1`, the counter
// app's page and `redis-cli --raw KEYS *`. Pure, so every function is unit-tested on sample text.

/**
 * @typedef {object} HostsLine one /etc/hosts (or `getent hosts`) record
 * @property {string} ip
 * @property {string[]} names in the order they are written
 */

/**
 * @typedef {object} PingResult
 * @property {number | undefined} transmitted
 * @property {number | undefined} received
 * @property {string | undefined} address the address `ping` resolved the target to
 */

/**
 * The link variables in `env` output (KEY=VALUE lines; a value may contain "=", so a line is split
 * at its first "="): the variables whose name matches `linkVar`. Lines without "=" are left out; a
 * repeated key keeps its last value.
 * @param {string} text
 * @param {RegExp} linkVar
 * @returns {Record<string, string>}
 */
function parseEnv(text, linkVar) {
  /** @type {Record<string, string>} */
  const vars = {};
  for (const line of text.split("\n")) {
    const entry = line.replace(/\r$/, "");
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    if (linkVar.test(key)) vars[key] = entry.slice(eq + 1);
  }
  return vars;
}

/**
 * Every record of a hosts-format text (/etc/hosts, `getent hosts`): blank lines and comments
 * (from "#" to the end of the line) are skipped, and a line needs an address and at least one name.
 * @param {string} text
 * @returns {HostsLine[]}
 */
function parseHostsRecords(text) {
  /** @type {HostsLine[]} */
  const records = [];
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean);
    if (fields.length < 2) continue;
    records.push({ ip: fields[0], names: fields.slice(1) });
  }
  return records;
}

/**
 * The /etc/hosts records that name `alias` (host names are compared without regard to case, as the
 * resolver does).
 * @param {string} text
 * @param {string} alias
 * @returns {HostsLine[]}
 */
function parseHosts(text, alias) {
  const wanted = alias.toLowerCase();
  return parseHostsRecords(text).filter((record) => record.names.some((n) => n.toLowerCase() === wanted));
}

/**
 * `ping -c 1` output from busybox ("PING redis (172.17.0.2): 56 data bytes", "1 packets
 * transmitted, 1 packets received, 0% packet loss") or iputils ("PING redis (172.17.0.2) 56(84)
 * bytes of data.", "1 packets transmitted, 1 received, ..."). Fields that do not appear are undefined.
 * @param {string} text
 * @returns {PingResult}
 */
function parsePing(text) {
  const stats = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
  const header = /^PING \S+ \(([^)\s]+)\)/m.exec(text);
  return {
    transmitted: stats ? Number(stats[1]) : undefined,
    received: stats ? Number(stats[2]) : undefined,
    address: header ? header[1] : undefined,
  };
}

/**
 * The counter from the app's page ("...Total requests: N..."), or undefined when there is none.
 * @param {string} body
 * @returns {number | undefined}
 */
function parseTotalRequests(body) {
  const match = /Total requests: (\d+)/.exec(body);
  return match ? Number(match[1]) : undefined;
}

/**
 * The keys `redis-cli --raw KEYS *` printed (one per line; an empty database prints one empty
 * line), sorted.
 * @param {string} text
 * @returns {string[]}
 */
function parseKeys(text) {
  return text
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => line !== "")
    .sort();
}

// Error replies redis-cli prints on stdout while still exiting 0 (e.g. "NOAUTH Authentication
// required." when a password is needed and none was given).
const REDIS_ERROR_REPLY = /^(?:ERR|NOAUTH|WRONGPASS|NOPERM|LOADING|BUSY|MASTERDOWN|MISCONF|READONLY)\b/;

// Error replies that waiting will not fix.
const REDIS_PERMANENT_ERROR = /^(?:NOAUTH|WRONGPASS|NOPERM)\b|AUTH failed/;

/**
 * The error redis-cli reported, if any: a failed AUTH on stderr ("AUTH failed: WRONGPASS ...") or
 * an error reply as the only line of stdout. `permanent` is true for authentication and permission
 * errors, which retrying will not fix.
 * @param {string} stdout
 * @param {string} stderr
 * @returns {{ message: string, permanent: boolean } | undefined}
 */
function redisCliError(stdout, stderr) {
  const authFailure = /AUTH failed[^\n]*/.exec(stderr);
  if (authFailure) return { message: authFailure[0].trim(), permanent: true };
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 1 && REDIS_ERROR_REPLY.test(lines[0])) {
    return { message: lines[0].trim(), permanent: REDIS_PERMANENT_ERROR.test(lines[0]) };
  }
  return undefined;
}

/**
 * How many responses each server gave (the X-Served-By values; responses without one are left out),
 * in the order the servers first answered.
 * @param {{ servedBy: string | null }[]} responses
 * @returns {Record<string, number>}
 */
function countServers(responses) {
  /** @type {Record<string, number>} */
  const counts = {};
  for (const { servedBy } of responses) {
    if (servedBy !== null) counts[servedBy] = (counts[servedBy] ?? 0) + 1;
  }
  return counts;
}

/**
 * Text squeezed onto one line: whitespace runs become one space; longer than `max` is cut with "…".
 * @param {string} text
 * @param {number} [max]
 * @returns {string}
 */
function oneLine(text, max = 200) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

module.exports = {
  countServers,
  oneLine,
  parseEnv,
  parseHosts,
  parseHostsRecords,
  parseKeys,
  parsePing,
  parseTotalRequests,
  redisCliError,
};
