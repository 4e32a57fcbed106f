// The one contract between the program (components/Verification.ts builds a spec per check), the
// check runner (checks/run.js runs one) and `npm run verify` (runs the recorded specs again, now).
// Types only: the runner is plain JavaScript and reads these through JSDoc imports.

/** The tutorial's five checks, in the order they run. */
export type CheckName = "env" | "hosts" | "ping" | "http" | "keys";

/**
 * A container the stack made, by name. `id` is the ID the stack recorded for it: a container of that
 * name with another ID is not the stack's (it was replaced by hand), and the check says so.
 */
export interface ContainerRef {
  container: string;
  id?: string;
}

/** A swarm service the stack made; checks look into one of its running task containers. */
export interface ServiceRef {
  service: string;
  id?: string;
}

/** What a check looks into. */
export type Subject = ContainerRef | ServiceRef;

/** Where the alias must lead: a fixed address, or the address swarm gave a service's task. */
export type Address = { ip: string } | { service: string; network: string };

interface SpecBase {
  /** Bound on every wait and retry of the check, in seconds. */
  timeoutSeconds: number;
}

/** `env` in the linked container: exactly the link variables `docker run --link` would set. */
export interface EnvSpec extends SpecBase {
  check: "env";
  in: Subject;
  alias: string;
  /**
   * The variables a link under `alias` sets: their common prefix (`REDIS` for `REDIS_PORT`, ...), and
   * a regular expression (source) matching their names.
   */
  linkVars: { prefix: string; pattern: string };
  /** Exactly the link variables expected (none with a network alias or on a swarm). */
  expected: Record<string, string>;
  /** Why none are expected, when none are (shown in the result). */
  noneBecause?: string;
}

/** `cat /etc/hosts` in the linked container. */
export interface HostsSpec extends SpecBase {
  check: "hosts";
  in: Subject;
  alias: string;
  /**
   * Legacy links: exactly this one line names the alias. Otherwise: no line names it, and
   * `getent hosts <alias>` resolves it (through Docker's DNS, `via`) to `resolvesTo`.
   */
  expected: { line: HostsLine } | { resolvesTo: Address; via: string };
}

/** `ping -c 1 <alias>` from the probe container gets an answer from the expected address. */
export interface PingSpec extends SpecBase {
  check: "ping";
  in: ContainerRef;
  alias: string;
  address: Address;
}

/** `curl <app>` a few times: every answer 200, the counter up by one each time. */
export interface HttpSpec extends SpecBase {
  check: "http";
  url: string;
  requests: number;
  /** Swarm: at least this many replicas (distinct X-Served-By values) must have answered. */
  minServers?: number;
  /** The app's container, whose logs a failure shows. */
  app?: ContainerRef;
  /**
   * Swarm: the app's service. The requests wait until no task it replaced still runs: a replaced
   * task answers (through the routing mesh too) until it has stopped.
   */
  service?: ServiceRef;
  /** Redis's container: when the app never answers and Redis is not ready, the failure names it. */
  source?: ContainerRef;
}

/** `redis-cli -h <alias> KEYS *` in the redis-cli container lists the app's keys. */
export interface KeysSpec extends SpecBase {
  check: "keys";
  in: ContainerRef;
  alias: string;
  /** Keys that must be there (the app writes them on every request). */
  keys: string[];
  /** The file inside the container holding Redis's password, if Redis has one. */
  passwordFile?: string;
}

export type CheckSpec = EnvSpec | HostsSpec | PingSpec | HttpSpec | KeysSpec;

/** One /etc/hosts (or `getent hosts`) record. */
export interface HostsLine {
  ip: string;
  names: string[];
}

/** What the env check saw: the link variables in the container (a swarm task of `service`). */
export interface EnvData {
  container: string;
  vars: Record<string, string>;
  service?: string;
}

/** What the hosts check saw: the lines naming the alias, and (DNS) the address it resolved to. */
export interface HostsData {
  container: string;
  lines: HostsLine[];
  address?: string;
  service?: string;
}

/** What the ping check saw. */
export interface PingData {
  container: string;
  target: string;
  transmitted?: number;
  received?: number;
  /** The address the alias resolved to. */
  address: string | null;
}

/** What the http check saw: every counted response, and on a swarm how many each replica gave. */
export interface HttpData {
  url: string;
  responses: {
    status: number | null;
    totalRequests: number | null;
    servedBy: string | null;
    error?: string;
  }[];
  servers?: Record<string, number>;
  minServers?: number;
}

/** What the keys check saw. */
export interface KeysData {
  container: string;
  keys: string[];
}

/** What each check saw when it passed (a failed one may have seen less). */
export interface CheckData {
  env: EnvData;
  hosts: HostsData;
  ping: PingData;
  http: HttpData;
  keys: KeysData;
}

/** What a check printed: one line of JSON. */
export interface CheckResult<C extends CheckName = CheckName> {
  check: C;
  ok: boolean;
  /** One-line summary of what the check expected. */
  expected: string;
  /** One-line summary of what it saw. */
  seen: string;
  /** Check-specific details (the variables, lines, replies, responses or keys seen). */
  data: CheckData[C];
  /** When the check looked (ISO 8601, UTC). */
  checkedAt: string;
  /** What it was asked to check, so that it can be checked again later (`npm run verify`). */
  spec: Extract<CheckSpec, { check: C }>;
}
