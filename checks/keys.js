// @ts-check
// Tutorial: `docker run -it --link redis-server:redis redis redis-cli -h redis`, then `KEYS *`:
// Redis, reached through the alias from the redis-cli container, holds what the app stored.
const { CheckFailure } = require("./support/failure");
const { execUntil, waitForContainer } = require("./support/wait");
const { oneLine, parseKeys, redisCliError } = require("./support/parse");

/** @typedef {import("./types").KeysSpec} KeysSpec */
/** @typedef {import("./support/deadline").Deadline} Deadline */

/**
 * @param {KeysSpec} spec
 * @param {Deadline} deadline
 */
async function checkKeys(spec, deadline) {
  const { alias, keys: required } = spec;
  const { container } = spec.in;
  const shown = `redis-cli -h ${alias} KEYS *`;
  const expected = `${shown} lists ${required.join(" and ")}`;
  await waitForContainer(spec.in, deadline);
  const query = ["redis-cli", "-h", alias, "--raw", "KEYS", "*"];
  // The password stays in the container: a shell there reads its file into redis-cli's environment.
  const command =
    spec.passwordFile === undefined
      ? query
      : ["sh", "-c", 'REDISCLI_AUTH="$(cat "$0")" exec "$@"', spec.passwordFile, ...query];
  const out = await execUntil(container, command, deadline, {
    expected,
    shown,
    accept: (o) => {
      const error = redisCliError(o.stdout, o.stderr);
      if (error?.permanent) {
        throw new CheckFailure(`redis-cli in container ${container} was refused by Redis`, {
          expected,
          seen: error.message,
          details: ["redis-cli must authenticate with the password Redis was started with"],
          container,
          data: { container, keys: [] },
        });
      }
      return error?.message;
    },
  });
  const keys = parseKeys(out.stdout);
  const seen = `KEYS * lists ${keys.length === 0 ? "no keys" : oneLine(keys.join(", "), 300)}`;
  const data = { container, keys };
  const missing = required.filter((key) => !keys.includes(key));
  if (missing.length > 0) {
    throw new CheckFailure(`Redis (via ${alias}) lacks ${missing.join(" and ")}`, {
      expected,
      seen,
      details: ["the app writes these keys on every request; the http check should have run first"],
      container,
      data,
    });
  }
  return { expected, seen, data };
}

module.exports = { checkKeys };
