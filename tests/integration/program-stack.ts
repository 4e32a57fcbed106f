// Shared by the integration tests that run the real program (index.ts at the repository root) in a
// throwaway stack: every name, the host port and the subnet are set per stack, so nothing can collide
// with the dev stack or with another test; plus the docker and HTTP look-ups those tests have in common.
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import type { VerificationResults } from "../../components/Verification";
import { PASSWORD_FILE } from "../../components/appBase";
import { AUTH_FILE as REDIS_AUTH_FILE } from "../../components/RedisServer";
import {
  BUDGET_MS,
  ConfigInput,
  docker,
  httpGet,
  leftovers,
  openStack,
  removeStack,
  REPO_ROOT,
} from "./harness";

export type LinkMode = "legacy" | "network";

/** The Docker names of one stack's objects; all start with the stack name, so leftovers() finds them. */
export interface ProgramNames {
  stackName: string;
  redis: string;
  app: string;
  cli: string;
  probe: string;
  network: string;
  volume: string;
  /** The link alias (the default); only containers of the stack ever resolve it. */
  alias: string;
}

export function programNames(stackName: string): ProgramNames {
  return {
    stackName,
    redis: `${stackName}-redis`,
    app: `${stackName}-app`,
    cli: `${stackName}-cli`,
    probe: `${stackName}-probe`,
    network: `${stackName}-net`,
    volume: `${stackName}-redis-data`,
    alias: "redis",
  };
}

export interface ProgramStackOptions {
  linkMode: LinkMode;
  /** Host port of the app: one of the ports assigned to these tests. */
  port: number;
  /** The stack network's subnet: one of the subnets assigned to these tests. */
  subnet: string;
  /** Further keys (bare), e.g. redisPassword or retainData. */
  extra?: Record<string, ConfigInput>;
}

export interface ProgramStack {
  stack: Stack;
  names: ProgramNames;
  /** The app through its published port. */
  url: string;
}

/** The configuration of a program stack: names from the stack name, the given port, subnet, mode. */
export function programConfig(names: ProgramNames, opts: ProgramStackOptions): Record<string, ConfigInput> {
  return {
    linkMode: opts.linkMode,
    redisName: names.redis,
    appName: names.app,
    cliName: names.cli,
    probeName: names.probe,
    networkName: names.network,
    networkSubnet: opts.subnet,
    dataVolume: names.volume,
    appPort: String(opts.port),
    ...opts.extra,
  };
}

/** Creates a stack of the real program (not yet deployed). */
export async function openProgramStack(stackName: string, opts: ProgramStackOptions): Promise<ProgramStack> {
  const names = programNames(stackName);
  const stack = await openStack({ workDir: REPO_ROOT, stackName, config: programConfig(names, opts) });
  return { stack, names, url: `http://127.0.0.1:${opts.port}/` };
}

/** The stack, or an error saying why there is none (its beforeAll failed). */
export function opened(ps: ProgramStack | undefined): ProgramStack {
  if (!ps) throw new Error("the stack was not opened (an earlier step failed)");
  return ps;
}

/** Budget of removeProgramStack, for afterAll. */
export const REMOVE_BUDGET_MS = BUDGET_MS.destroy + BUDGET_MS.removeStack + 60_000;

/**
 * Destroys and removes a program stack (a no-op when it is gone or was never opened), then removes
 * its data volume, which destroy keeps by design; returns whatever is still there under the stack's
 * name (nothing, when all went well).
 */
export async function removeProgramStack(stackName: string, ps: ProgramStack | undefined): Promise<string[]> {
  try {
    if (ps) await removeStack(ps.stack);
  } finally {
    await removeVolumeIfPresent(programNames(stackName).volume);
  }
  return leftovers(stackName);
}

/** The stack outputs of an update as plain values. */
export function outputValues(result: UpResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
}

/** The `verification` output of an update. */
export function verificationOf(result: UpResult): VerificationResults {
  return outputValues(result).verification as VerificationResults;
}

/** The totals the http check saw, in order. */
export function checkTotals(result: UpResult): number[] {
  const responses = verificationOf(result).http.data.responses as { totalRequests: number | null }[];
  return responses.map((r) => {
    if (r.totalRequests === null) throw new Error("the http check saw a response without a total");
    return r.totalRequests;
  });
}

/**
 * The counter as it stood when the update's http check began: checks/run.js first polls until a GET
 * answers 200 (that one GET counts too), then sends its counted requests.
 */
export function totalBeforeChecks(result: UpResult): number {
  const readinessGets = 1;
  return checkTotals(result)[0] - readinessGets - 1;
}

export const CONTAINER_TYPE = "docker:index/container:Container";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
}

/** The resources in the stack's state. */
export async function stateResources(stack: Stack): Promise<StateResource[]> {
  const state = await stack.exportStack();
  return (state.deployment as { resources?: StateResource[] } | undefined)?.resources ?? [];
}

/** The URN of the one resource of `type` whose name (the URN's last part) is `name`. */
export async function urnOf(stack: Stack, type: string, name: string): Promise<string> {
  const found = (await stateResources(stack)).filter((r) => r.type === type && r.urn.endsWith(`::${name}`));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} named ${name} in the state of ${stack.name}, found ${found.length}`,
    );
  }
  return found[0].urn;
}

/** The parts of `docker inspect <container>` the tests look at. */
export interface ContainerInfo {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { Running: boolean; StartedAt: string; ExitCode: number; OOMKilled: boolean; Status: string };
  Config: {
    User: string;
    Image: string;
    Env: string[] | null;
    ExposedPorts?: Record<string, unknown> | null;
  };
  HostConfig: {
    Privileged: boolean;
    CapAdd: string[] | null;
    SecurityOpt: string[] | null;
    RestartPolicy: { Name: string; MaximumRetryCount: number };
    PortBindings: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
  };
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks: Record<string, { IPAddress: string }>;
  };
  Mounts: { Type: string; Name?: string; Destination: string }[];
}

export async function inspectContainer(name: string): Promise<ContainerInfo> {
  const parsed = JSON.parse(await docker(["inspect", "--type", "container", name])) as ContainerInfo[];
  return parsed[0];
}

/** The counter on the app's page ("Total requests: N"); throws when the page has none. */
export function totalOf(body: string): number {
  const match = /Total requests: (\d+)/.exec(body);
  if (!match) throw new Error(`no "Total requests" on the page: ${JSON.stringify(body.slice(0, 200))}`);
  return Number(match[1]);
}

/** One counted GET that must answer 200; returns the total it reports. */
export async function countedGet(url: string): Promise<number> {
  const res = await httpGet(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return totalOf(res.body);
}

/**
 * `redis-cli -h <alias> <args>` in the redis-cli container, logged in from the password file there as
 * its prompt is: the tutorial's CLI reaching Redis by the alias.
 */
export function cliRedis(cli: string, alias: string, ...args: string[]): Promise<string> {
  const login = `REDISCLI_AUTH="$(cat ${PASSWORD_FILE})" exec redis-cli -h "$0" "$@"`;
  return docker(["exec", cli, "sh", "-c", login, alias, ...args]);
}

/** `redis-cli -h <alias> ping` from the redis-cli container. */
export function cliPing(names: ProgramNames): Promise<string> {
  return cliRedis(names.cli, names.alias, "ping");
}

/** `redis-cli <args>` inside Redis's own container, logged in with the password Redis runs with. */
export function serverRedis(container: string, ...args: string[]): Promise<string> {
  const login = `REDISCLI_AUTH="$(sed -n 's/^requirepass //p' ${REDIS_AUTH_FILE})" exec redis-cli "$@"`;
  return docker(["exec", container, "sh", "-c", login, "redis-cli", ...args]);
}

export async function volumeExists(name: string): Promise<boolean> {
  // The name filter matches substrings: keep exact matches only.
  const found = await docker(["volume", "ls", "--quiet", "--filter", `name=${name}`]);
  return found.split("\n").includes(name);
}

/** Removes a volume if it exists (retained data volumes are not in any stack's state). */
export async function removeVolumeIfPresent(name: string): Promise<void> {
  if (await volumeExists(name)) {
    await docker(["volume", "rm", name]);
  }
}
