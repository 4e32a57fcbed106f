// @ts-check
// Tutorial: `curl docker:3000`. Once the app answers, every GET is answered 200 and the counter it
// keeps in Redis goes up by exactly one each time; on a swarm, several replicas answer.
const { CheckFailure } = require("./support/failure");
const { retryUntil, progress } = require("./support/deadline");
const { containerState, recentLogs } = require("./support/docker");
const { waitForContainer, waitForReplacedTasks } = require("./support/wait");
const { describeAnswer, get } = require("./support/client");
const { consecutiveFrom, isStrictlyIncreasingByOne } = require("./support/compare");
const { countServers, parseTotalRequests } = require("./support/parse");

/** @typedef {import("./types").HttpSpec} HttpSpec */
/** @typedef {import("./support/deadline").Deadline} Deadline */

/** Each counted GET must be answered within this. */
const REQUEST_TIMEOUT_MS = 5000;
/** A readiness GET gets at least this long, even right before the bound. */
const READY_ATTEMPT_MIN_MS = 500;
/** What Redis answers a client that did not log in, or logged in with the wrong password. */
const REFUSED_BY_REDIS = /\b(?:NOAUTH|WRONGPASS)\b[^\n]*/;

/**
 * @param {HttpSpec} spec
 * @param {Deadline} deadline
 */
async function checkHttp(spec, deadline) {
  const { requests, minServers } = spec;
  const url = new URL(spec.url);
  const href = url.href;
  const container = spec.app?.container;
  const expected =
    `${requests} GET${requests === 1 ? "" : "s"} to ${href}: all HTTP 200, Total requests up by one each time` +
    (minServers === undefined ? "" : `, answered by at least ${minServers} replicas`);

  // The app's container first: one removed or replaced outside the stack will never answer.
  if (spec.app) await waitForContainer(spec.app, deadline, { healthy: false });
  // On a swarm, the answers must come from the service as it is now, not a task being replaced.
  if (spec.service) await waitForReplacedTasks(spec.service, deadline);
  await untilReady(url, spec, deadline);
  progress(`${href} answers 200; sending ${requests} requests`);

  const responses = [];
  for (let i = 0; i < requests; i++) {
    const answer = await get(url, REQUEST_TIMEOUT_MS);
    responses.push({
      status: answer.status,
      totalRequests: parseTotalRequests(answer.body) ?? null,
      servedBy: answer.servedBy,
      ...(answer.error === undefined ? {} : { error: answer.error }),
    });
  }
  const totals = responses.map((r) => r.totalRequests);
  const servers = countServers(responses);
  const serverNames = Object.keys(servers);
  // An app that names no replica (no X-Served-By on any answer, as an app of the tutorial's era):
  // the replicas cannot be counted from here, and the check says so instead of failing on it.
  const countable = minServers !== undefined && serverNames.length > 0;
  const seen =
    `statuses ${responses.map((r) => (r.status === null ? `none (${r.error})` : String(r.status))).join(", ")}; ` +
    `totals ${totals.map((t) => t ?? "none").join(", ")}` +
    (serverNames.length > 0 ? `; served by ${serverNames.join(", ")}` : "") +
    (minServers === undefined
      ? ""
      : !countable
        ? " (replicas not counted: the app names none, no X-Served-By header)"
        : ` (${serverNames.length} replica${serverNames.length === 1 ? "" : "s"}: ` +
          `${Object.entries(servers)
            .map(([server, n]) => `${server} ${n}`)
            .join(", ")})`);
  const data =
    minServers === undefined ? { url: href, responses } : { url: href, responses, servers, minServers };

  // A missing total (null) is not an integer, so it is never counted.
  const counted = isStrictlyIncreasingByOne(/** @type {number[]} */ (totals));
  if (!responses.every((r) => r.status === 200) || !counted) {
    const first = totals[0];
    const wanted =
      `statuses ${Array(requests).fill("200").join(", ")}; totals ` +
      (first === null ? "increasing by one" : consecutiveFrom(first, requests).join(", "));
    throw new CheckFailure(`the app at ${href} did not count ${requests} requests as expected`, {
      expected: `${expected} (${wanted})`,
      seen,
      container,
      data,
    });
  }
  if (countable && serverNames.length < minServers) {
    throw new CheckFailure(`only ${serverNames.length} replica(s) of the app at ${href} answered`, {
      expected,
      seen,
      details: [
        "each GET goes on a new connection, which the routing mesh (or the gateway) hands to the next replica",
      ],
      data,
    });
  }
  return { expected, seen, data };
}

/**
 * Waits, bounded, until the app answers 200 (it answers 503 until Redis is reachable). When it never
 * does and Redis is not ready either, the failure names Redis instead of the app.
 * @param {URL} url
 * @param {HttpSpec} spec
 * @param {Deadline} deadline
 */
async function untilReady(url, spec, deadline) {
  const href = url.href;
  /** The failure of waiting out the bound: the only one that Redis's state can explain. */
  /** @type {CheckFailure | undefined} */
  let gaveUp;
  try {
    await retryUntil(
      deadline,
      async () => {
        const answer = await get(
          url,
          Math.min(REQUEST_TIMEOUT_MS, Math.max(READY_ATTEMPT_MIN_MS, deadline.remaining())),
        );
        if (answer.status === 200) return { value: undefined };
        const refused = await refusedByRedis(answer.body, spec);
        if (refused !== undefined) {
          // Waiting cannot help: the app does not log in. Say so now, with both ways out.
          throw new CheckFailure("the app did not log in to Redis", {
            expected: `${href} answers HTTP 200, the app logged in to Redis with its password`,
            seen: `Redis refused the app (${refused})`,
            details: [
              "Redis requires a password (redisAuth: password, the default); the app must log in with it.",
              "Either the app reads it from the file its REDIS_PASSWORD_FILE variable names (/run/secrets/redis-password),",
              "or, for an app that cannot log in, set redisAuth to none (docs/config.md says what that opens).",
            ],
            container: spec.app?.container,
            data: { url: href, responses: [] },
          });
        }
        return { retry: `${href}: ${describeAnswer(answer)}` };
      },
      (last, attempts) =>
        (gaveUp = new CheckFailure(`waited ${deadline.seconds} s for ${href} to answer HTTP 200`, {
          expected: `${href} answers HTTP 200 within ${deadline.seconds} s (it answers 503 until Redis is reachable)`,
          seen: `${last} (${attempts} attempts)`,
          container: spec.app?.container,
          data: { url: href, responses: [] },
        })),
    );
  } catch (err) {
    // A refusal by Redis is the answer whatever Redis's health says (it may still be starting).
    if (gaveUp === undefined || err !== gaveUp || spec.source === undefined) throw err;
    const source = spec.source.container;
    const state = await containerState(source);
    if (state.ready) throw gaveUp;
    throw new CheckFailure(`the app never answered 200, and Redis (container ${source}) is not ready`, {
      expected: `container ${source} running and healthy, then ${gaveUp.expected}`,
      seen: `container ${source}: ${state.describe}; ${gaveUp.seen}`,
      container: source,
      data: gaveUp.data,
    });
  }
}

/**
 * Redis's refusal, where the app shows one: in its answer, or in its container's recent log.
 * @param {string} body
 * @param {HttpSpec} spec
 * @returns {Promise<string | undefined>}
 */
async function refusedByRedis(body, spec) {
  const inAnswer = REFUSED_BY_REDIS.exec(body);
  if (inAnswer) return `its answer: ${inAnswer[0].trim()}`;
  if (spec.app === undefined) return undefined;
  const inLog = REFUSED_BY_REDIS.exec(await recentLogs(spec.app.container));
  return inLog ? `its log: ${inLog[0].trim()}` : undefined;
}

module.exports = { checkHttp };
