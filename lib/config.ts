// Stack configuration: every `container-links:*` key is read here, once, as a raw string, checked, and
// turned into one typed object. Pure (no Pulumi import) so that it can be unit-tested with a plain
// lookup function; lib/stackConfig.ts is the thin adapter that feeds it from `pulumi.Config`.
//
// Errors: parseConfig collects every problem and throws one InvalidConfigError (an AggregateError whose
// `errors` are ConfigErrors). Its message has one line per problem, each naming the fully qualified
// key and showing the offending value JSON-quoted, escaped and cut to 60 characters, e.g.
//   container-links:appPort: "70000" is not an integer in 1-65535
// The value of a secret key is never shown, stored in an error, or returned.

export type LinkMode = "legacy" | "network";
export type Target = "container" | "swarm";
export type AppPublish = "ingress" | "gateway";

/** Pulumi's config namespace for this project (the project name in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "container-links";

export const LINK_MODES: readonly LinkMode[] = ["legacy", "network"];
export const TARGETS: readonly Target[] = ["container", "swarm"];
export const APP_PUBLISH_MODES: readonly AppPublish[] = ["ingress", "gateway"];

export interface StackConfig {
  /** Key `target`: plain containers or a swarm service for the app. */
  target: Target;
  /** Key `linkMode`: legacy `--link` or a user-defined network with an alias. */
  linkMode: LinkMode;
  /** Key `linkAlias`: the name the app (and redis-cli) use to reach Redis. */
  linkAlias: string;
  redisName: string;
  appName: string;
  cliName: string;
  probeName: string;
  networkName: string;
  /** Key `networkSubnet`: canonical IPv4 CIDR (network address, prefix 16-28). */
  networkSubnet: string;
  /** Derived: the 10th host address of networkSubnet (e.g. "172.31.240.10"). */
  redisAddress: string;
  appPort: number;
  /** Key `appImage`: prebuilt app image; when unset the app is built from app/ on nodeImage. */
  appImage?: string;
  redisImage: string;
  nodeImage: string;
  probeImage: string;
  /** Key `dataVolume`; defaults to `${redisName}-data`. */
  dataVolume: string;
  retainData: boolean;
  checkRequests: number;
  readyTimeoutSeconds: number;
  appReplicas: number;
  /** Key `appPublish`: how the swarm target publishes the app on appPort. */
  appPublish: AppPublish;
  // redisPassword is deliberately absent: parseConfig validates it but never returns the plain text,
  // so this object is safe to log, export or JSON.stringify. lib/stackConfig.ts returns it as a secret
  // Output (LoadedConfig.redisPassword).
}

export interface ConfigKeySpec {
  /** Bare key, as used with `pulumi config set <key>`. */
  key: string;
  type: "string" | "integer" | "boolean";
  /** Absent for secrets only; an empty string means "unset" (the key is optional). */
  default?: string | number | boolean;
  secret?: boolean;
  description: string;
}

export const CONFIG_KEYS: ReadonlyArray<ConfigKeySpec> = [
  {
    key: "target",
    type: "string",
    default: "container",
    description: "Where the app runs: container (plain containers) or swarm (a swarm service).",
  },
  {
    key: "linkMode",
    type: "string",
    default: "legacy",
    description:
      "How the app reaches Redis: legacy (docker run --link, as in the tutorial) or network (an alias on a user-defined network). The swarm target needs network.",
  },
  {
    key: "linkAlias",
    type: "string",
    default: "redis",
    description:
      "Name under which the app and redis-cli reach Redis: a hostname label of 1-63 letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
  },
  { key: "redisName", type: "string", default: "redis-server", description: "Name of the Redis container." },
  {
    key: "appName",
    type: "string",
    default: "counter-app",
    description: "Name of the Node.js counter app container.",
  },
  {
    key: "cliName",
    type: "string",
    default: "redis-cli",
    description: "Name of the linked redis-cli container.",
  },
  {
    key: "probeName",
    type: "string",
    default: "link-probe",
    description: "Name of the probe container the checks use.",
  },
  {
    key: "networkName",
    type: "string",
    default: "container-links",
    description: "Name of the Docker network the containers are attached to.",
  },
  {
    key: "networkSubnet",
    type: "string",
    default: "172.31.240.0/24",
    description:
      "IPv4 subnet of that network: network address with a prefix of 16-28. Redis gets its 10th host address.",
  },
  {
    key: "appPort",
    type: "integer",
    default: 3000,
    description: "Host port the counter app is published on (1-65535).",
  },
  {
    key: "appImage",
    type: "string",
    default: "",
    description: "Prebuilt app image to run instead of building app/ (empty: build app/ on nodeImage).",
  },
  { key: "redisImage", type: "string", default: "redis:7.0", description: "Redis image." },
  {
    key: "nodeImage",
    type: "string",
    default: "node:18-bookworm-slim",
    description: "Base image app/ is built on when appImage is unset.",
  },
  {
    key: "probeImage",
    type: "string",
    default: "busybox:1.35",
    description: "Image of the probe container.",
  },
  {
    key: "dataVolume",
    type: "string",
    default: "",
    description:
      "Docker volume holding the Redis data (empty: redisName followed by -data, e.g. redis-server-data).",
  },
  {
    key: "retainData",
    type: "boolean",
    default: true,
    description: "Keep the data volume when the stack is destroyed (true/false).",
  },
  {
    key: "checkRequests",
    type: "integer",
    default: 3,
    description: "Number of requests the checks send to the app (1-1000).",
  },
  {
    key: "readyTimeoutSeconds",
    type: "integer",
    default: 60,
    description: "Seconds to wait for Redis and the app to become ready (1-3600).",
  },
  {
    key: "appReplicas",
    type: "integer",
    default: 3,
    description: "Replicas of the app service with the swarm target (1-50).",
  },
  {
    key: "appPublish",
    type: "string",
    default: "ingress",
    description:
      "How the swarm target publishes the app on appPort: ingress (the routing mesh; needs IPVS in the kernel) or gateway (a forwarder, for kernels without IPVS).",
  },
  {
    key: "redisPassword",
    type: "string",
    secret: true,
    description:
      "Optional Redis password, set with --secret: 1-512 characters from A-Z a-z 0-9 . _ + / = and hyphen, not starting with a hyphen.",
  },
];

const SECRET_KEYS: ReadonlySet<string> = new Set(CONFIG_KEYS.filter((k) => k.secret).map((k) => k.key));

const MAX_SHOWN_CHARS = 60;

/**
 * A value made safe to print: JSON-quoted, every character outside printable ASCII escaped (so no
 * newlines, terminal escapes or bidi overrides reach the console), and cut to 60 characters.
 */
function showValue(raw: string): string {
  const chars = Array.from(raw);
  const head = chars.slice(0, MAX_SHOWN_CHARS).join("");
  const quoted = JSON.stringify(head).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return chars.length > MAX_SHOWN_CHARS ? `${quoted}... (${chars.length} characters)` : quoted;
}

/** One problem with one key. */
export class ConfigError extends Error {
  /** Bare key, e.g. "appPort" (for an unknown key, the key as set). */
  readonly key: string;
  /** The value as shown in the message (quoted, escaped, truncated); "(secret)" for secret keys. */
  readonly value: string;

  constructor(key: string, value: string, problem: string, namespace: string = CONFIG_NAMESPACE) {
    // A key is shown as is when it looks like one; an unknown key could be anything.
    const shownKey = /^[A-Za-z0-9_.-]{1,100}$/.test(key) ? key : showValue(key);
    super(`${namespace}:${shownKey}: ${value} ${problem}`);
    this.name = "ConfigError";
    this.key = key;
    this.value = value;
  }
}

/** Everything wrong with the configuration; thrown by parseConfig, even for a single problem. */
export class InvalidConfigError extends AggregateError {
  declare readonly errors: ConfigError[];

  constructor(errors: ConfigError[]) {
    const n = errors.length;
    super(
      errors,
      `invalid stack configuration (${n} problem${n === 1 ? "" : "s"}; change with \`pulumi config set <key> <value>\` or remove with \`pulumi config rm <key>\`):\n` +
        errors.map((e) => `  ${e.message}`).join("\n"),
    );
    this.name = "InvalidConfigError";
  }
}

// ---------------------------------------------------------------------------------------------------
// Value rules

// Docker's container-name rule (daemon/names.go), capped at 63 so a name can be a hostname.
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const CONTAINER_NAME_RULE =
  'is not a valid name (2-63 characters: letters, digits, "_", ".", "-"; starting with a letter or digit)';
const VOLUME_NAME_RULE =
  'is not a valid volume name (2-128 characters: letters, digits, "_", ".", "-"; starting with a letter or digit)';

function isDockerName(value: string, maxLength: number): boolean {
  return value.length <= maxLength && CONTAINER_NAME.test(value);
}

// RFC 1123 label that also starts with a letter: Docker turns a link alias into variable names such as
// REDIS_PORT_6379_TCP_ADDR, and a leading digit would make those unusable from a shell.
const ALIAS = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const ALIAS_RULE =
  'is not a valid hostname label (1-63 characters: letters, digits, "-"; starting with a letter, not ending with "-")';

// Image reference, after distribution/reference: [host[:port]/]path[:tag][@sha256:digest] with a
// lowercase path. IPv6 registry hosts are not supported.
// The first component is a registry host only when it looks like one (a dot, a port, or localhost),
// as Docker decides; otherwise it is part of the lowercase path.
const IMAGE_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const IMAGE_HOST =
  `(?:${IMAGE_LABEL}(?:\\.${IMAGE_LABEL})+(?::[0-9]{1,5})?` + `|${IMAGE_LABEL}:[0-9]{1,5}|localhost)`;
const IMAGE_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_REF = new RegExp(
  `^(?:${IMAGE_HOST}/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*` +
    "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$",
);
const IMAGE_MAX_LENGTH = 512;
const IMAGE_RULE =
  "is not a valid image reference ([registry[:port]/]name[:tag][@sha256:<64 hex>], name in lowercase)";

// Generated passwords (hex, base64, base64url, UUIDs) fit; nothing a shell, a URL's userinfo or Redis's
// config-line parser would treat specially except "/", and a leading "-" could read as an option.
const PASSWORD = /^[A-Za-z0-9._+/=][A-Za-z0-9._+/=-]{0,511}$/;
const PASSWORD_RULE = 'must be 1-512 characters from A-Z a-z 0-9 . _ + / = -, not starting with "-"';

const INTEGER = /^(?:0|[1-9][0-9]{0,9})$/;

// ---------------------------------------------------------------------------------------------------
// IPv4 helpers

interface Cidr {
  /** Address as an unsigned 32-bit integer. */
  address: number;
  prefix: number;
}

const OCTET = "(0|[1-9][0-9]{0,2})";
const CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(0|[1-9][0-9]?)$`);

/** Strict dotted-quad CIDR: no leading zeros, octets 0-255, prefix 0-32. Undefined when malformed. */
function parseCidr(text: string): Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { address, prefix };
}

function hostCount(prefix: number): number {
  return 2 ** (32 - prefix);
}

function networkOf({ address, prefix }: Cidr): number {
  const size = hostCount(prefix);
  return address - (address % size);
}

function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/**
 * The n-th host address of a subnet given as a canonical IPv4 CIDR ("172.31.240.0/24", 10 →
 * "172.31.240.10"). n counts from 1 and must leave room for the broadcast address. Throws on a
 * malformed CIDR, one with host bits set, or an n outside 1..(size - 2).
 */
export function subnetHost(cidr: string, n: number): string {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`${showValue(cidr)} is not an IPv4 CIDR (a.b.c.d/prefix)`);
  if (networkOf(parsed) !== parsed.address) {
    throw new Error(`${showValue(cidr)} is not a network address (host bits are set)`);
  }
  const last = hostCount(parsed.prefix) - 2;
  if (last < 1) throw new RangeError(`${cidr} has no host addresses`);
  if (!Number.isInteger(n) || n < 1 || n > last) {
    throw new RangeError(`host ${n} is outside ${cidr} (hosts 1-${last})`);
  }
  return formatIPv4(parsed.address + n);
}

/** The subnet's first host address, which Docker uses as the network's default gateway. */
export function gatewayAddress(cidr: string): string {
  return subnetHost(cidr, 1);
}

// ---------------------------------------------------------------------------------------------------
// Parsing

export interface ParseOptions {
  /** Namespace shown in messages; defaults to CONFIG_NAMESPACE. */
  namespace?: string;
  /**
   * Bare keys that are set in the namespace (e.g. from pulumi.runtime.allConfig()). When given, keys
   * not in CONFIG_KEYS are reported, so that a misspelt key is not silently ignored.
   */
  presentKeys?: Iterable<string>;
  /**
   * Whether a key's value is stored encrypted. When given, a secret key (redisPassword) that is set in
   * plain text is reported, since its value would then sit unencrypted in Pulumi.<stack>.yaml.
   */
  isSecret?: (key: string) => boolean;
}

const REDIS_ADDRESS_HOST = 10;

/**
 * Reads every key through `get` (a raw string, undefined when unset), applies defaults and the rules
 * above, and returns the typed configuration. Throws InvalidConfigError listing every problem.
 */
export function parseConfig(
  get: (key: string) => string | undefined,
  options: ParseOptions = {},
): StackConfig {
  const namespace = options.namespace ?? CONFIG_NAMESPACE;
  const errors: ConfigError[] = [];
  const defaults = new Map(CONFIG_KEYS.map((k) => [k.key, k.default]));

  const fail = (key: string, raw: string, problem: string): undefined => {
    const shown = SECRET_KEYS.has(key) ? "(secret)" : showValue(raw);
    errors.push(new ConfigError(key, shown, problem, namespace));
    return undefined;
  };

  // Raw value or the default as a string; an empty value is "unset". Every key in CONFIG_KEYS goes
  // through here.
  const raw = (key: string): string | undefined => {
    const value = get(key) ?? defaults.get(key);
    return value === undefined || value === "" ? undefined : String(value);
  };

  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const value = raw(key) ?? "";
    if ((allowed as readonly string[]).includes(value)) return value as T;
    return fail(key, value, `is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  };

  const integer = (key: string, min: number, max: number): number | undefined => {
    const value = raw(key) ?? "";
    const n = INTEGER.test(value) ? Number(value) : NaN;
    if (n >= min && n <= max) return n;
    return fail(key, value, `is not an integer in ${min}-${max}`);
  };

  const boolean = (key: string): boolean | undefined => {
    const value = raw(key) ?? "";
    if (value === "true") return true;
    if (value === "false") return false;
    return fail(key, value, 'is not "true" or "false"');
  };

  const matching = (key: string, value: string | undefined, ok: boolean, rule: string): string | undefined =>
    value === undefined ? undefined : ok ? value : fail(key, value, rule);

  const containerName = (key: string): string | undefined => {
    const value = raw(key) ?? "";
    return matching(key, value, isDockerName(value, 63), CONTAINER_NAME_RULE);
  };

  const image = (key: string): string | undefined => {
    const value = raw(key) ?? "";
    const ok = value.length <= IMAGE_MAX_LENGTH && IMAGE_REF.test(value);
    return matching(key, value, ok, IMAGE_RULE);
  };

  const target = oneOf("target", TARGETS);
  const linkMode = oneOf("linkMode", LINK_MODES);
  if (target === "swarm" && linkMode === "legacy") {
    fail(
      "linkMode",
      linkMode,
      'cannot be used with target "swarm" (swarm services have no legacy links); use "network"',
    );
  }

  const linkAliasRaw = raw("linkAlias") ?? "";
  const linkAlias = matching("linkAlias", linkAliasRaw, ALIAS.test(linkAliasRaw), ALIAS_RULE);

  // Container names must be distinct; compared case-insensitively because they are also DNS names on
  // the network.
  const nameKeys = ["redisName", "appName", "cliName", "probeName"] as const;
  const names: Partial<Record<(typeof nameKeys)[number], string>> = {};
  const seen = new Map<string, string>();
  for (const key of nameKeys) {
    const name = containerName(key);
    if (name === undefined) continue;
    const owner = seen.get(name.toLowerCase());
    if (owner !== undefined) {
      fail(key, name, `is already used by ${owner} (container names must differ)`);
      continue;
    }
    seen.set(name.toLowerCase(), key);
    names[key] = name;
  }
  // On the network the alias is a DNS name too: it may name Redis itself but no other container.
  if (linkAlias !== undefined) {
    for (const key of ["appName", "cliName", "probeName"] as const) {
      if (names[key]?.toLowerCase() === linkAlias.toLowerCase()) {
        fail("linkAlias", linkAlias, `is also the name of ${key} (the alias must lead to Redis only)`);
      }
    }
  }

  const networkNameRaw = raw("networkName") ?? "";
  const networkName = matching(
    "networkName",
    networkNameRaw,
    isDockerName(networkNameRaw, 63),
    CONTAINER_NAME_RULE.replace("name", "network name"),
  );

  const subnetRaw = raw("networkSubnet") ?? "";
  let networkSubnet: string | undefined;
  let redisAddress: string | undefined;
  const cidr = parseCidr(subnetRaw);
  if (!cidr) {
    fail("networkSubnet", subnetRaw, "is not an IPv4 CIDR (a.b.c.d/prefix)");
  } else if (cidr.prefix < 16 || cidr.prefix > 28) {
    fail("networkSubnet", subnetRaw, "has a prefix outside 16-28");
  } else if (networkOf(cidr) !== cidr.address) {
    const canonical = `${formatIPv4(networkOf(cidr))}/${cidr.prefix}`;
    fail("networkSubnet", subnetRaw, `is not a network address (did you mean "${canonical}"?)`);
  } else {
    networkSubnet = subnetRaw;
    redisAddress = subnetHost(subnetRaw, REDIS_ADDRESS_HOST);
  }

  const appPort = integer("appPort", 1, 65535);
  const appImage = raw("appImage") === undefined ? undefined : image("appImage");
  const redisImage = image("redisImage");
  const nodeImage = image("nodeImage");
  const probeImage = image("probeImage");

  const dataVolumeRaw = raw("dataVolume");
  let dataVolume: string | undefined;
  if (dataVolumeRaw !== undefined) {
    dataVolume = matching("dataVolume", dataVolumeRaw, isDockerName(dataVolumeRaw, 128), VOLUME_NAME_RULE);
  } else if (names.redisName !== undefined) {
    dataVolume = `${names.redisName}-data`;
  }

  const retainData = boolean("retainData");
  const checkRequests = integer("checkRequests", 1, 1000);
  const readyTimeoutSeconds = integer("readyTimeoutSeconds", 1, 3600);
  const appReplicas = integer("appReplicas", 1, 50);
  const appPublish = oneOf("appPublish", APP_PUBLISH_MODES);

  const password = raw("redisPassword");
  if (password !== undefined && !PASSWORD.test(password)) fail("redisPassword", password, PASSWORD_RULE);

  if (options.isSecret !== undefined) {
    for (const key of SECRET_KEYS) {
      const value = raw(key);
      if (value !== undefined && !options.isSecret(key)) {
        fail(
          key,
          value,
          `is stored in plain text; set it with \`pulumi config set --secret ${key} <value>\``,
        );
      }
    }
  }

  if (options.presentKeys !== undefined) {
    for (const key of options.presentKeys) {
      if (defaults.has(key)) continue;
      const guess = CONFIG_KEYS.find((k) => k.key.toLowerCase() === key.toLowerCase());
      const hint = guess ? ` (did you mean ${guess.key}?)` : "";
      errors.push(new ConfigError(key, "(value not shown)", `is not a known key${hint}`, namespace));
    }
  }

  if (errors.length > 0) throw new InvalidConfigError(errors);

  // With no errors every field above is defined; the assertions only restate that for the compiler.
  return {
    target: target!,
    linkMode: linkMode!,
    linkAlias: linkAlias!,
    redisName: names.redisName!,
    appName: names.appName!,
    cliName: names.cliName!,
    probeName: names.probeName!,
    networkName: networkName!,
    networkSubnet: networkSubnet!,
    redisAddress: redisAddress!,
    appPort: appPort!,
    ...(appImage !== undefined ? { appImage } : {}),
    redisImage: redisImage!,
    nodeImage: nodeImage!,
    probeImage: probeImage!,
    dataVolume: dataVolume!,
    retainData: retainData!,
    checkRequests: checkRequests!,
    readyTimeoutSeconds: readyTimeoutSeconds!,
    appReplicas: appReplicas!,
    appPublish: appPublish!,
  };
}
