// Docker's legacy `--link SOURCE:ALIAS` rules, reproduced so the stack can give containers the same
// environment and /etc/hosts entry that `docker run --link` would, without the removed `links` argument.
// Sources (moby/moby): daemon/links/links.go (env vars), daemon/container_operations_unix.go
// addLegacyLinks (hosts line), daemon/container/env.go ReplaceOrAppendEnvValues (env precedence).

/** How a container gets its link: Docker's legacy `--link` (emulated), or an alias on a network. */
export type LinkMode = "legacy" | "network";

export type Protocol = "tcp" | "udp" | "sctp";

export interface PortSpec {
  port: number;
  protocol: Protocol;
}

export interface LinkSource {
  /** Source container name without the leading "/", e.g. "redis-server". */
  name: string;
  /** Container id; only its first 12 characters matter (default hostname). */
  id: string;
  /** Container hostname; Docker defaults it to the first 12 characters of the id. */
  hostname?: string;
  /** The address the link points at (the source's IP on the default bridge). */
  ip: string;
  exposedPorts: PortSpec[];
  /** "KEY=value" entries of the source container: image ENV plus `-e`. */
  env: string[];
}

export interface Link {
  source: LinkSource;
  alias: string;
  /** Name of the container that receives the link (with or without the leading "/"). */
  parentName: string;
}

// Docker's port order: TCP first, then the other protocols by name.
const PROTOCOL_RANK: Record<Protocol, number> = { tcp: 0, sctp: 1, udp: 2 };

function isProtocol(name: string): name is Protocol {
  return Object.hasOwn(PROTOCOL_RANK, name);
}

/**
 * Docker names link variables after the alias upper-cased with "-" turned into "_", because "-" is
 * not allowed in shell variable names; nothing else is rewritten.
 */
export function envPrefix(alias: string): string {
  return alias.toUpperCase().replaceAll("-", "_");
}

/**
 * Parses an exposed-port spec the way Docker does for a single port: the protocol is optional
 * (Docker defaults it to tcp) and case-insensitive. Ranges are rejected because one spec must map to
 * one port here; list each port instead. Port 0 is rejected as it cannot be connected to.
 */
export function parsePortSpec(spec: string): PortSpec {
  const match = /^(\d+)(?:\/([A-Za-z]+))?$/.exec(spec);
  const port = match ? Number(match[1]) : NaN;
  const protocol = (match?.[2] ?? "tcp").toLowerCase();
  if (!match || port < 1 || port > 65535 || !isProtocol(protocol)) {
    throw new Error(
      `invalid port spec ${JSON.stringify(spec)}: expected <port>[/tcp|udp|sctp] with a single port 1-65535`,
    );
  }
  return { port, protocol };
}

/**
 * Docker sorts exposed ports TCP first, then by protocol name, then by number, so that the first
 * port (the one behind `<A>_PORT`) is the lowest TCP port and consecutive ports sit next to each
 * other for range detection.
 */
export function sortPorts(ports: PortSpec[]): PortSpec[] {
  return [...ports].sort((a, b) => PROTOCOL_RANK[a.protocol] - PROTOCOL_RANK[b.protocol] || a.port - b.port);
}

/**
 * The variables `docker run --link` injects, in Docker's order: `<A>_PORT` for the first port, the
 * per-port variables for every port, range variables for each run of consecutive same-protocol
 * ports, `<A>_NAME`, then the source's env as `<A>_ENV_*`. Docker only notices that a run has ended
 * when it meets the next port, so a run's range variables follow that next port's variables (a run
 * at the very end is closed right after its last port). HOME and PATH are skipped because image
 * builds add them, and entries without "=" are skipped because they carry no value.
 */
export function linkEnv(link: Link): string[] {
  const { source } = link;
  const prefix = envPrefix(link.alias);
  // Docker keeps exposed ports in a set, so a port listed twice yields one set of variables.
  const unique = new Map(source.exposedPorts.map((p) => [`${p.port}/${p.protocol}`, p]));
  const ports = sortPorts([...unique.values()]);
  const url = (p: PortSpec) => `${p.protocol}://${source.ip}:${p.port}`;
  const portKey = (p: PortSpec) => `${prefix}_PORT_${p.port}_${p.protocol.toUpperCase()}`;

  const env: string[] = [];
  if (ports.length > 0) env.push(`${prefix}_PORT=${url(ports[0])}`);

  let start = ports[0];
  let end = ports[0];
  ports.forEach((p, i) => {
    const key = portKey(p);
    env.push(
      `${key}=${url(p)}`,
      `${key}_ADDR=${source.ip}`,
      `${key}_PORT=${p.port}`,
      `${key}_PROTO=${p.protocol}`,
    );
    if (p.protocol === end.protocol && p.port === end.port + 1) {
      end = p;
      if (i < ports.length - 1) return;
    }
    if (end.port !== start.port) {
      const rangeKey = portKey(start);
      env.push(
        `${rangeKey}_START=${url(start)}`,
        `${rangeKey}_PORT_START=${start.port}`,
        `${rangeKey}_END=${url(end)}`,
        `${rangeKey}_PORT_END=${end.port}`,
      );
    }
    start = end = p;
  });

  env.push(`${prefix}_NAME=/${link.parentName.replace(/^\//, "")}/${link.alias}`);

  for (const entry of source.env) {
    const [key, value] = splitEnv(entry);
    if (value === undefined || key === "HOME" || key === "PATH") continue;
    env.push(`${prefix}_ENV_${key}=${value}`);
  }
  return env;
}

/** {@link linkEnv} as a map, for looking variables up by name (a repeated name keeps its last value). */
export function linkEnvMap(link: Link): Record<string, string> {
  return Object.fromEntries(
    linkEnv(link).map((entry) => {
      const [key, value = ""] = splitEnv(entry);
      return [key, value];
    }),
  );
}

/**
 * The /etc/hosts entry Docker writes into the linked container so the source resolves by alias,
 * hostname and container name, in that order. The name is left out only when it equals the alias;
 * Docker does not deduplicate otherwise (a hostname equal to the alias is listed twice). An empty
 * hostname falls back to the first 12 characters of the id, as Docker's default hostname does.
 */
export function hostsEntry(link: Link): { ip: string; names: string[] } {
  const { source, alias } = link;
  const names = [alias, source.hostname || source.id.slice(0, 12)];
  if (source.name !== alias) names.push(source.name);
  return { ip: source.ip, names };
}

/** Docker writes each hosts record as the address, a tab, then the names separated by spaces. */
export function hostsLine(link: Link): string {
  const { ip, names } = hostsEntry(link);
  return `${ip}\t${names.join(" ")}`;
}

/**
 * Docker lets the container's own env override link variables of the same name, and an own entry
 * without "=" unsets that variable (and is itself dropped). Unlike Docker, which keeps an overridden
 * variable at the link variable's position, the result lists the remaining link vars first and then
 * the own env, so the container's own settings stay together.
 */
export function mergeEnv(linkVars: string[], ownEnv: string[]): string[] {
  const ownKeys = new Set(ownEnv.map((entry) => splitEnv(entry)[0]));
  return [
    ...linkVars.filter((entry) => !ownKeys.has(splitEnv(entry)[0])),
    ...ownEnv.filter((entry) => entry.includes("=")),
  ];
}

/**
 * The names {@link linkEnv} can produce for `alias`: `<A>_PORT`, `<A>_PORT_<n>_<PROTO>` and its
 * `_ADDR`/`_PORT`/`_PROTO`/range suffixes, `<A>_NAME` and `<A>_ENV_<anything>`, for any port
 * number and source env key (they depend on the source container). Tells link variables apart from
 * a container's other env (`REDIS_HOST` is not one).
 */
export function linkVarPattern(alias: string): RegExp {
  const suffixes = "(?:_ADDR|_PORT|_PROTO|_START|_PORT_START|_END|_PORT_END)?";
  return new RegExp(`^${envPrefix(alias)}_(?:PORT(?:_\\d+_(?:TCP|UDP|SCTP)${suffixes})?|NAME|ENV_[^=]*)$`);
}

/** Whether `key` is the name of a link variable for `alias` (see {@link linkVarPattern}). */
export function isLinkVar(alias: string, key: string): boolean {
  return linkVarPattern(alias).test(key);
}

/** Splits "KEY=value" at the first "=" (values may contain "="); an entry without "=" is all key. */
function splitEnv(entry: string): [string, string | undefined] {
  const eq = entry.indexOf("=");
  return eq < 0 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
}
