// IPv4 arithmetic of lib/config/ipv4.ts, by table.
import { subnetHost } from "../../lib/config";

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
});
