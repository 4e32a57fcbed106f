// The stack's subnet against the networks the engine already has (lib/config/engine.ts), as the
// program checks it before it makes anything: from what `docker network inspect` prints.
import { engineProblems } from "../../lib/config";

const ENGINE =
  "bridge 172.17.0.0/16\nhost \nnone \nit-other 172.31.245.0/24\ncontainer-links 172.31.240.0/24\n";
const check = (subnet: string, listing = ENGINE) =>
  engineProblems({ networkName: "container-links", networkSubnet: subnet }, listing, "container-links")
    ?.message;

test("a free subnet passes", () => {
  expect(check("172.31.241.0/24")).toBeUndefined();
});

test("the stack's own network, already there on a later up, is no conflict", () => {
  expect(check("172.31.240.0/24")).toBeUndefined();
});

test.each([
  ["inside the default bridge", "172.17.5.0/24", "bridge (172.17.0.0/16)"],
  ["another stack's network", "172.31.245.0/25", "it-other (172.31.245.0/24)"],
  ["around both", "172.16.0.0/12", "bridge (172.17.0.0/16), it-other (172.31.245.0/24)"],
])("a subnet %s fails, naming the key and the network", (_what, subnet, taken) => {
  expect(check(subnet)).toContain(
    `container-links:networkSubnet: "${subnet}" overlaps the engine's network ${taken}; pick a free subnet`,
  );
});

test("networks without an IPv4 subnet (host, none, IPv6-only) are passed over", () => {
  expect(check("10.0.0.0/24", "host \nnone \nv6 fd00::/64\n")).toBeUndefined();
});
