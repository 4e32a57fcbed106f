// Rules for single values. Each returns the problem as the rest of a message line ("is not a valid
// ...") or undefined when the value is fine; parse.ts names the key and shows the value.
import { canonicalCidr, networkAddress, parseCidr } from "./ipv4";

// Docker's container-name rule (daemon/names.go), capped at 63 so a name can be a hostname.
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NAME_CHARS = '2-63 characters: letters, digits, "_", ".", "-"; starting with a letter or digit';

export function containerNameProblem(value: string): string | undefined {
  return value.length <= 63 && DOCKER_NAME.test(value) ? undefined : `is not a valid name (${NAME_CHARS})`;
}

export function networkNameProblem(value: string): string | undefined {
  return value.length <= 63 && DOCKER_NAME.test(value)
    ? undefined
    : `is not a valid network name (${NAME_CHARS})`;
}

export function volumeNameProblem(value: string): string | undefined {
  return value.length <= 128 && DOCKER_NAME.test(value)
    ? undefined
    : 'is not a valid volume name (2-128 characters: letters, digits, "_", ".", "-"; starting with a letter or digit)';
}

// RFC 1123 label that also starts with a letter: Docker turns a link alias into variable names such as
// REDIS_PORT_6379_TCP_ADDR, and a leading digit would make those unusable from a shell.
const ALIAS = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function linkAliasProblem(value: string): string | undefined {
  return ALIAS.test(value)
    ? undefined
    : 'is not a valid hostname label (1-63 characters: letters, digits, "-"; starting with a letter, not ending with "-")';
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

// Generated passwords (hex, base64, base64url, UUIDs) fit; nothing a shell, a URL's userinfo or Redis's
// config-line parser would treat specially except "/", and a leading "-" could read as an option.
// One message whatever is wrong, so that it tells nothing about the value.
const PASSWORD = /^[A-Za-z0-9._+/=][A-Za-z0-9._+/=-]{0,511}$/;

export function passwordProblem(value: string): string | undefined {
  return PASSWORD.test(value)
    ? undefined
    : 'must be 1-512 characters from A-Z a-z 0-9 . _ + / = -, not starting with "-"';
}

export const SUBNET_PREFIXES = { min: 16, max: 28 } as const;

export function subnetProblem(value: string): string | undefined {
  const cidr = parseCidr(value);
  if (!cidr) return "is not an IPv4 CIDR (a.b.c.d/prefix)";
  if (cidr.prefix < SUBNET_PREFIXES.min || cidr.prefix > SUBNET_PREFIXES.max) {
    return `has a prefix outside ${SUBNET_PREFIXES.min}-${SUBNET_PREFIXES.max}`;
  }
  return networkAddress(cidr) === cidr.address
    ? undefined
    : `is not a network address (did you mean "${canonicalCidr(cidr)}"?)`;
}

const INTEGER = /^(?:0|[1-9][0-9]{0,9})$/;

/** Decimal digits only: no sign, leading zero, spaces, fraction or exponent. */
export function integerProblem(value: string, min: number, max: number): string | undefined {
  const n = INTEGER.test(value) ? Number(value) : NaN;
  return n >= min && n <= max ? undefined : `is not an integer in ${min}-${max}`;
}
