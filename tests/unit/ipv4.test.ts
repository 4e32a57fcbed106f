// IPv4 arithmetic of lib/ipv4.ts, by table.
import { EngineNetwork, subnetConflicts, subnetHost } from "../../lib/ipv4";

describe("subnetHost", () => {
  test.each<[string, number, string]>([
    ["172.31.240.0/24", 1, "172.31.240.1"],
    ["172.31.240.0/24", 10, "172.31.240.10"],
    ["172.31.240.0/24", 254, "172.31.240.254"],
    ["10.0.0.0/16", 256, "10.0.1.0"],
    ["10.0.0.0/16", 65534, "10.0.255.254"],
    ["192.168.5.16/28", 14, "192.168.5.30"],
    ["10.0.0.0/8", 16777214, "10.255.255.254"],
    ["0.0.0.0/0", 1, "0.0.0.1"],
    ["255.255.255.0/24", 254, "255.255.255.254"],
    ["10.0.0.0/30", 2, "10.0.0.2"],
  ])("subnetHost(%j, %d) = %j", (cidr, n, expected) => {
    expect(subnetHost(cidr, n)).toBe(expected);
  });

  test.each<[string, number, string]>([
    ["172.31.240.0/24", 0, "host 0 is outside 172.31.240.0/24 (hosts 1-254)"],
    ["172.31.240.0/24", 255, "host 255 is outside 172.31.240.0/24 (hosts 1-254)"],
    ["172.31.240.0/24", 1.5, "host 1.5 is outside 172.31.240.0/24 (hosts 1-254)"],
    ["192.168.5.16/28", 15, "host 15 is outside 192.168.5.16/28 (hosts 1-14)"],
    ["10.0.0.0/31", 1, "10.0.0.0/31 has no host addresses"],
    ["10.0.0.0/32", 1, "10.0.0.0/32 has no host addresses"],
    ["172.31.240.5/24", 1, '"172.31.240.5/24" is not a network address (host bits are set)'],
    ["bogus", 1, '"bogus" is not an IPv4 CIDR (a.b.c.d/prefix)'],
    ["1.2.3.4/24\n", 1, '"1.2.3.4/24\\n" is not an IPv4 CIDR (a.b.c.d/prefix)'],
  ])("subnetHost(%j, %d) throws", (cidr, n, message) => {
    expect(() => subnetHost(cidr, n)).toThrow(message);
  });

  test("a long malformed argument is quoted cut to its first 60 characters", () => {
    const long = `10.0.0.0/24${"x".repeat(100)}`;
    expect(() => subnetHost(long, 1)).toThrow(
      new Error(`"10.0.0.0/24${"x".repeat(49)}" is not an IPv4 CIDR (a.b.c.d/prefix)`),
    );
  });
});

describe("subnetConflicts", () => {
  // What `docker network inspect` might list on a busy engine.
  const NETWORKS: EngineNetwork[] = [
    { name: "bridge", subnets: ["172.17.0.0/16"] },
    { name: "host", subnets: [] },
    { name: "container-links", subnets: ["172.31.240.0/24"] },
    { name: "other-stack", subnets: ["172.31.0.0/16"] },
    { name: "dual-stack", subnets: ["fd00:1::/64", "10.99.0.0/24"] },
    { name: "written-loosely", subnets: ["192.168.1.5/24"] },
  ];

  // [the stack's subnet, its network's name, the conflicts]
  test.each<[string, string, { name: string; subnet: string }[]]>([
    // A second `up`: the stack's own network is there already and is no conflict; a wider one is.
    ["172.31.240.0/24", "container-links", [{ name: "other-stack", subnet: "172.31.0.0/16" }]],
    // Under another name the same subnet conflicts too.
    [
      "172.31.240.0/24",
      "renamed",
      [
        { name: "container-links", subnet: "172.31.240.0/24" },
        { name: "other-stack", subnet: "172.31.0.0/16" },
      ],
    ],
    ["172.17.255.0/24", "container-links", [{ name: "bridge", subnet: "172.17.0.0/16" }]],
    ["172.16.0.0/15", "container-links", [{ name: "bridge", subnet: "172.17.0.0/16" }]],
    ["172.18.0.0/16", "container-links", []],
    ["172.16.0.0/16", "container-links", []],
    ["10.99.0.128/25", "container-links", [{ name: "dual-stack", subnet: "10.99.0.0/24" }]],
    ["10.98.255.0/24", "container-links", []],
    ["10.99.1.0/24", "container-links", []],
    ["192.168.1.0/28", "container-links", [{ name: "written-loosely", subnet: "192.168.1.5/24" }]],
    ["192.168.2.0/24", "container-links", []],
  ])("%s (own network %s)", (subnet, own, conflicts) => {
    expect(subnetConflicts(subnet, NETWORKS, own)).toEqual(conflicts);
  });

  test("an engine with no networks has no conflicts", () => {
    expect(subnetConflicts("172.31.240.0/24", [], "container-links")).toEqual([]);
  });

  test("a malformed subnet of the stack's is an error, not an empty answer", () => {
    expect(() => subnetConflicts("172.31.240/24", NETWORKS, "container-links")).toThrow(
      '"172.31.240/24" is not an IPv4 CIDR (a.b.c.d/prefix)',
    );
  });
});
