// @ts-check
// The tutorial's page: count every request and every client IP in Redis, then show the totals.

/** @typedef {import("./redis-client").RedisClient} RedisClient */

/** The keys the original app uses; the tutorial inspects them with redis-cli afterwards. */
const KEYS = Object.freeze({ requests: "requests", ipCounts: "ip" });

/**
 * The page body, byte for byte what the original app answered.
 * @param {number} total value of the `requests` counter
 * @param {Record<string, string>} ips the `ip` hash: client address -> request count
 * @returns {string}
 */
function renderBody(total, ips) {
  const lines = Object.entries(ips).map(([ip, count]) => `    ${ip}: ${count}\n`);
  return (
    "This page was generated after talking to redis.\n\n" +
    "Application Build: 1\n\n" +
    `Total requests: ${total}\n\n` +
    "IP count: \n" +
    lines.join("")
  );
}

/**
 * The original's three commands, in its order, sent as one MULTI/EXEC in a single write: one round
 * trip, and the total and the per-IP counts come from the same moment even with many replicas.
 * @param {RedisClient} client
 * @param {string} ip the client's remote address, as the original used it (e.g. `::ffff:172.17.0.1`)
 * @returns {Promise<{ total: number, ips: Record<string, string> }>}
 */
async function recordVisit(client, ip) {
  const [total, , ips] = await client
    .multi()
    .incr(KEYS.requests)
    .hIncrBy(KEYS.ipCounts, ip, 1)
    .hGetAll(KEYS.ipCounts)
    .execTyped();
  return { total, ips };
}

module.exports = { KEYS, renderBody, recordVisit };
