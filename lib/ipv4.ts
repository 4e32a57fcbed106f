// IPv4 arithmetic for the network settings: strict CIDR parsing, host addresses of a subnet, the
// special-purpose ranges a stack network must stay out of, and overlap with the engine's networks.
// Pure and self-contained: the config rules and the data store both use it.

/** A malformed argument, quoted so that nothing in it reaches a terminal raw. */
function malformed(cidr: string, problem: string): Error {
  return new Error(`${JSON.stringify(cidr.slice(0, 60))} ${problem}`);
}

/** A CIDR block: the address as written (host bits may be set) and the prefix length. */
export interface Cidr {
  /** Address as an unsigned 32-bit integer. */
  address: number;
  prefix: number;
}

const OCTET = "(0|[1-9][0-9]{0,2})";
const CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(0|[1-9][0-9]?)$`);

/** Strict dotted-quad CIDR: no leading zeros, octets 0-255, prefix 0-32. Undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  return { address: octets.reduce((acc, o) => acc * 256 + o, 0), prefix };
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** The block's network address: its address with the host bits cleared. */
export function networkAddress({ address, prefix }: Cidr): number {
  return address - (address % blockSize(prefix));
}

function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The block written canonically, host bits cleared ("172.31.240.5/24" → "172.31.240.0/24"). */
export function canonicalCidr(cidr: Cidr): string {
  return `${formatIPv4(networkAddress(cidr))}/${cidr.prefix}`;
}

/** Whether two blocks share any address. */
function overlaps(a: Cidr, b: Cidr): boolean {
  const aStart = networkAddress(a);
  const bStart = networkAddress(b);
  return aStart < bStart + blockSize(b.prefix) && bStart < aStart + blockSize(a.prefix);
}

/**
 * The n-th host address of a subnet given as a canonical IPv4 CIDR ("172.31.240.0/24", 10 →
 * "172.31.240.10"). n counts from 1 (Docker makes host 1 the gateway) and must leave room for the
 * broadcast address. Throws on a malformed CIDR, one with host bits set, or n outside 1..(size - 2).
 */
export function subnetHost(cidr: string, n: number): string {
  const parsed = parseCidr(cidr);
  if (!parsed) throw malformed(cidr, "is not an IPv4 CIDR (a.b.c.d/prefix)");
  if (networkAddress(parsed) !== parsed.address)
    throw malformed(cidr, "is not a network address (host bits are set)");
  const last = blockSize(parsed.prefix) - 2;
  if (last < 1) throw new RangeError(`${cidr} has no host addresses`);
  if (!Number.isInteger(n) || n < 1 || n > last) {
    throw new RangeError(`host ${n} is outside ${cidr} (hosts 1-${last})`);
  }
  return formatIPv4(parsed.address + n);
}

/**
 * Special-purpose ranges (RFC 6890) that belong to the host's own plumbing, not to a container
 * network: routes into them would shadow the host itself, its multicast, or the link-local metadata
 * services of cloud machines (169.254.169.254).
 */
const RESERVED_RANGES: ReadonlyArray<{ cidr: string; name: string }> = [
  { cidr: "0.0.0.0/8", name: '"this network"' },
  { cidr: "127.0.0.0/8", name: "loopback" },
  { cidr: "169.254.0.0/16", name: "link-local" },
  { cidr: "224.0.0.0/4", name: "multicast" },
  { cidr: "240.0.0.0/4", name: "reserved (and broadcast)" },
];

/** The first reserved range a block overlaps, if any. */
export function reservedRangeOf(cidr: Cidr): { cidr: string; name: string } | undefined {
  return RESERVED_RANGES.find((range) => overlaps(cidr, parseCidr(range.cidr)!));
}

/** A network as the engine lists it (`docker network inspect`: Name, IPAM.Config[].Subnet). */
export interface EngineNetwork {
  name: string;
  subnets: string[];
}

/**
 * The engine's networks whose subnets share an address with `subnet` (the stack's, canonical IPv4),
 * as { name, subnet } in the order given. The stack's own network (named ownNetworkName) is not a
 * conflict; IPv6 and unreadable subnets cannot overlap an IPv4 one and are passed over.
 */
export function subnetConflicts(
  subnet: string,
  networks: readonly EngineNetwork[],
  ownNetworkName: string,
): { name: string; subnet: string }[] {
  const own = parseCidr(subnet);
  if (!own) throw malformed(subnet, "is not an IPv4 CIDR (a.b.c.d/prefix)");
  return networks
    .filter((network) => network.name !== ownNetworkName)
    .flatMap((network) =>
      network.subnets
        .filter((other) => {
          const parsed = parseCidr(other);
          return parsed !== undefined && overlaps(own, parsed);
        })
        .map((other) => ({ name: network.name, subnet: other })),
    );
}
