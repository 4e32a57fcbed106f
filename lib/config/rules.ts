// Rules for single values. Each returns the problem as the rest of a message line ("is not a valid
// ...") or undefined when the value is fine; parse.ts names the key and shows the value.
import { canonicalCidr, networkAddress, parseCidr, reservedRangeOf } from "../ipv4";

// Docker's container-name rule (daemon/names.go), capped at 63 so a name can be a hostname.
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NAME_CHARS = '2-63 characters: letters, digits, "_", ".", "-"; starting with a letter or digit';

export function containerNameProblem(value: string): string | undefined {
  return value.length <= 63 && DOCKER_NAME.test(value) ? undefined : `is not a valid name (${NAME_CHARS})`;
}

// Networks Docker makes itself: host, bridge and none on every engine, ingress and docker_gwbridge
// on a swarm node (docker_gwbridge connects overlay containers to the host, and Docker creates it
// on `swarm init`/`join` unless one exists, so a stack-made one would be taken over or lost).
const DOCKER_NETWORKS = ["host", "bridge", "none", "ingress", "docker_gwbridge"];

export function networkNameProblem(value: string): string | undefined {
  if (!(value.length <= 63 && DOCKER_NAME.test(value))) return `is not a valid network name (${NAME_CHARS})`;
  // Compared without case: "Bridge" is a different network to Docker but not to a reader.
  return DOCKER_NETWORKS.includes(value.toLowerCase())
    ? `is the name of a network Docker manages itself (${DOCKER_NETWORKS.join(", ")})`
    : undefined;
}

export function volumeNameProblem(value: string): string | undefined {
  return value.length <= 128 && DOCKER_NAME.test(value)
    ? undefined
    : 'is not a valid volume name (2-128 characters: letters, digits, "_", ".", "-"; starting with a letter or digit)';
}

// RFC 1123 label that also starts with a letter: Docker turns a link alias into variable names such as
// REDIS_PORT_6379_TCP_ADDR, and a leading digit would make those unusable from a shell.
const ALIAS = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// Names Docker writes into every container's /etc/hosts for the container itself: an alias equal to
// one of them would lead to the container, not to Redis.
const HOSTS_FILE_NAMES = [
  "localhost",
  "ip6-localhost",
  "ip6-loopback",
  "ip6-localnet",
  "ip6-mcastprefix",
  "ip6-allnodes",
  "ip6-allrouters",
];

export function linkAliasProblem(value: string): string | undefined {
  if (!ALIAS.test(value)) {
    return 'is not a valid hostname label (1-63 characters: letters, digits, "-"; starting with a letter, not ending with "-")';
  }
  return HOSTS_FILE_NAMES.includes(value.toLowerCase())
    ? "names the container itself in every /etc/hosts (localhost and its IPv6 siblings); choose another alias"
    : undefined;
}

// Image reference, after distribution/reference: [host[:port]/]path[:tag][@sha256:digest] with a
// lowercase path. IPv6 registry hosts are not supported. The first component is a registry host
// only when it looks like one (a dot, a port, or localhost), as Docker decides; otherwise it is part
// of the lowercase path.
const IMAGE_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const IMAGE_HOST =
  `(?:${IMAGE_LABEL}(?:\\.${IMAGE_LABEL})+(?::[0-9]{1,5})?` + `|${IMAGE_LABEL}:[0-9]{1,5}|localhost)`;
const IMAGE_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_REF = new RegExp(
  `^(?:${IMAGE_HOST}/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*` +
    "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$",
);

export function imageProblem(value: string): string | undefined {
  return value.length <= 512 && IMAGE_REF.test(value)
    ? undefined
    : "is not a valid image reference ([registry[:port]/]name[:tag][@sha256:<64 hex>], name in lowercase)";
}

// Long enough not to be guessed online (16 characters of base64 are 96 bits), and only characters no
// shell, URL userinfo or Redis config-line parser treats specially except "/"; a leading "-" could
// read as an option. Generated passwords (hex, base64, base64url, UUIDs) fit. One message whatever
// is wrong, so that it tells nothing about the value.
const MIN_PASSWORD_LENGTH = 16;
const PASSWORD = new RegExp(`^[A-Za-z0-9._+/=][A-Za-z0-9._+/=-]{${MIN_PASSWORD_LENGTH - 1},511}$`);

export function passwordProblem(value: string): string | undefined {
  return PASSWORD.test(value)
    ? undefined
    : `must be ${MIN_PASSWORD_LENGTH}-512 characters from A-Z a-z 0-9 . _ + / = -, not starting with "-"`;
}

const SUBNET_PREFIXES = { min: 16, max: 28 } as const;

export function subnetProblem(value: string): string | undefined {
  const cidr = parseCidr(value);
  if (!cidr) return "is not an IPv4 CIDR (a.b.c.d/prefix)";
  if (cidr.prefix < SUBNET_PREFIXES.min || cidr.prefix > SUBNET_PREFIXES.max) {
    return `has a prefix outside ${SUBNET_PREFIXES.min}-${SUBNET_PREFIXES.max}`;
  }
  if (networkAddress(cidr) !== cidr.address) {
    return `is not a network address (did you mean "${canonicalCidr(cidr)}"?)`;
  }
  const reserved = reservedRangeOf(cidr);
  return reserved
    ? `overlaps ${reserved.cidr}, the ${reserved.name} range; use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`
    : undefined;
}

const INTEGER = /^(?:0|[1-9][0-9]{0,9})$/;

/** Decimal digits only: no sign, leading zero, spaces, fraction or exponent. */
export function integerProblem(value: string, min: number, max: number): string | undefined {
  const n = INTEGER.test(value) ? Number(value) : NaN;
  return n >= min && n <= max ? undefined : `is not an integer in ${min}-${max}`;
}
