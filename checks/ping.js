// @ts-check
// Tutorial: `docker run --link redis-server:redis alpine ping -c 1 redis`. The probe reaches the
// source by the alias, at the address the link leads to.
const { CheckFailure } = require("./support/failure");
const { execUntil, resolveAddress, waitForContainer } = require("./support/wait");
const { oneLine, parsePing } = require("./support/parse");

/** @typedef {import("./types").PingSpec} PingSpec */
/** @typedef {import("./support/deadline").Deadline} Deadline */

/**
 * @param {PingSpec} spec
 * @param {Deadline} deadline
 */
async function checkPing(spec, deadline) {
  const { alias } = spec;
  const { container } = spec.in;
  const address = await resolveAddress(spec.address, deadline);
  const expected =
    `ping -c 1 ${alias} gets 1 reply from ${address}` +
    ("service" in spec.address ? ` (service ${spec.address.service}'s task)` : "");
  await waitForContainer(spec.in, deadline);
  const out = await execUntil(container, ["ping", "-c", "1", "-W", "2", alias], deadline, {
    expected,
    accept: (o) => ((parsePing(o.stdout).received ?? 0) >= 1 ? undefined : oneLine(o.stdout) || "no reply"),
  });
  const ping = parsePing(out.stdout);
  const seen = `${ping.received} of ${ping.transmitted} replies, ${alias} resolved to ${ping.address ?? "(not shown)"}`;
  const data = {
    container,
    target: alias,
    transmitted: ping.transmitted,
    received: ping.received,
    address: ping.address ?? null,
  };
  if (ping.address !== address) {
    throw new CheckFailure(`ping in container ${container} reached ${alias} at the wrong address`, {
      expected,
      seen,
      container,
      data,
    });
  }
  return { expected, seen, data };
}

module.exports = { checkPing };
