// Every `container-links:*` key read once, as a raw string, checked, and turned into one typed
// object. Pure (no Pulumi import) so that it can be tested with a plain lookup function; load.ts
// feeds it from `pulumi.Config`. Every problem is collected and thrown as one InvalidConfigError;
// the value of the secret key is never shown, stored in an error, or returned.
import { closestKey, CONFIG_KEYS, CONFIG_NAMESPACE } from "./schema";
import { ConfigError, InvalidConfigError, SECRET_SHOWN, showValue } from "./errors";
import {
  containerNameProblem,
  imageProblem,
  integerProblem,
  linkAliasProblem,
  networkNameProblem,
  passwordProblem,
  subnetProblem,
  volumeNameProblem,
} from "./rules";
import type { LinkMode } from "../links";

export type { LinkMode };

export type Target = "container" | "swarm";
export type AppPublish = "ingress" | "gateway";
export type RedisAuth = "password" | "none";

export const LINK_MODES: readonly LinkMode[] = ["legacy", "network"];
export const TARGETS: readonly Target[] = ["container", "swarm"];
export const APP_PUBLISH_MODES: readonly AppPublish[] = ["ingress", "gateway"];
export const REDIS_AUTH_MODES: readonly RedisAuth[] = ["password", "none"];

/** The checked configuration; Pulumi.yaml describes each key. Safe to log: it holds no secret. */
export interface StackConfig {
  target: Target;
  linkMode: LinkMode;
  linkAlias: string;
  /** none: Redis without a password, loudly (the program warns); password: the default. */
  redisAuth: RedisAuth;
  redisName: string;
  appName: string;
  cliName: string;
  probeName: string;
  networkName: string;
  /** Canonical IPv4 CIDR (network address, prefix 16-28, outside the reserved ranges). */
  networkSubnet: string;
  appPort: number;
  /** Absent when unset: the app is then built from app/ on nodeImage. */
  appImage?: string;
  redisImage: string;
  nodeImage: string;
  probeImage: string;
  /** Absent when unset: the data store names its volume after Redis. */
  dataVolume?: string;
  retainData: boolean;
  checkRequests: number;
  readyTimeoutSeconds: number;
  appReplicas: number;
  appPublish: AppPublish;
  // redisPassword is deliberately absent: parseConfig checks it but never returns the plain text;
  // load.ts returns it as a secret Output.
}

/** The integer keys' ranges (their descriptions in Pulumi.yaml state the same). */
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  appPort: [1, 65535],
  checkRequests: [1, 1000],
  readyTimeoutSeconds: [1, 3600],
  appReplicas: [1, 50],
};

export interface ParseOptions {
  /** Namespace shown in messages; defaults to the project name. */
  namespace?: string;
  /** Bare keys set in the namespace; when given, keys Pulumi.yaml does not know are reported. */
  presentKeys?: Iterable<string>;
  /** Whether a key's value is stored encrypted; when given, a secret key set in plain text is reported. */
  isSecret?: (key: string) => boolean;
}

const CONTAINER_NAME_KEYS = ["redisName", "appName", "cliName", "probeName"] as const;

/**
 * Reads every key through `get` (a raw string, undefined when unset), applies Pulumi.yaml's
 * defaults and the rules, and returns the typed configuration. Throws InvalidConfigError listing
 * every problem.
 */
export function parseConfig(
  get: (key: string) => string | undefined,
  options: ParseOptions = {},
): StackConfig {
  const namespace = options.namespace ?? CONFIG_NAMESPACE;
  const specs = new Map(CONFIG_KEYS.map((spec) => [spec.key, spec]));
  const errors: ConfigError[] = [];

  const fail = (key: string, value: string, problem: string): undefined => {
    errors.push(
      new ConfigError(key, specs.get(key)?.secret ? SECRET_SHOWN : showValue(value), problem, namespace),
    );
    return undefined;
  };
  // The value set, else the default; an empty value is "unset".
  const raw = (key: string): string | undefined => {
    const value = get(key) ?? specs.get(key)?.default;
    return value === undefined || value === "" ? undefined : String(value);
  };
  const checked = (key: string, problemOf: (value: string) => string | undefined): string | undefined => {
    const value = raw(key) ?? "";
    const problem = problemOf(value);
    return problem === undefined ? value : fail(key, value, problem);
  };
  const optional = (key: string, problemOf: (value: string) => string | undefined): string | undefined =>
    raw(key) === undefined ? undefined : checked(key, problemOf);
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined =>
    checked(key, (v) =>
      allowed.includes(v as T) ? undefined : `is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
    ) as T | undefined;
  const integer = (key: string): number | undefined => {
    const [min, max] = INTEGER_RANGES[key];
    const value = checked(key, (v) => integerProblem(v, min, max));
    return value === undefined ? undefined : Number(value);
  };
  const boolean = (key: string): boolean | undefined => {
    const value = checked(key, (v) =>
      v === "true" || v === "false" ? undefined : 'is not "true" or "false"',
    );
    return value === undefined ? undefined : value === "true";
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
  const linkAlias = checked("linkAlias", linkAliasProblem);
  const redisAuth = oneOf("redisAuth", REDIS_AUTH_MODES);
  if (redisAuth === "none" && raw("redisPassword") !== undefined) {
    fail(
      "redisAuth",
      redisAuth,
      'cannot be used with redisPassword set (a password Redis would not ask for); remove redisPassword, or set redisAuth to "password"',
    );
  }

  // Container names must differ; compared without case because they are also DNS names on the network.
  const names: Partial<Record<(typeof CONTAINER_NAME_KEYS)[number], string>> = {};
  const owners = new Map<string, string>();
  for (const key of CONTAINER_NAME_KEYS) {
    const name = checked(key, containerNameProblem);
    if (name === undefined) continue;
    const owner = owners.get(name.toLowerCase());
    if (owner !== undefined) {
      fail(key, name, `is already used by ${owner} (container names must differ)`);
      continue;
    }
    owners.set(name.toLowerCase(), key);
    names[key] = name;
  }
  // On the network the alias is a DNS name too: it may name Redis itself but no other container.
  for (const key of ["appName", "cliName", "probeName"] as const) {
    if (linkAlias !== undefined && names[key]?.toLowerCase() === linkAlias.toLowerCase()) {
      fail("linkAlias", linkAlias, `is also the name of ${key} (the alias must lead to Redis only)`);
    }
  }

  const networkName = checked("networkName", networkNameProblem);
  const networkSubnet = checked("networkSubnet", subnetProblem);
  const appPort = integer("appPort");
  const appImage = optional("appImage", imageProblem);
  const redisImage = checked("redisImage", imageProblem);
  const nodeImage = checked("nodeImage", imageProblem);
  const probeImage = checked("probeImage", imageProblem);
  const dataVolume = optional("dataVolume", volumeNameProblem);
  const retainData = boolean("retainData");
  const checkRequests = integer("checkRequests");
  const readyTimeoutSeconds = integer("readyTimeoutSeconds");
  const appReplicas = integer("appReplicas");
  const appPublish = oneOf("appPublish", APP_PUBLISH_MODES);

  const password = raw("redisPassword");
  if (password !== undefined) {
    const problem = passwordProblem(password);
    if (problem !== undefined) fail("redisPassword", password, problem);
    if (options.isSecret?.("redisPassword") === false) {
      fail(
        "redisPassword",
        password,
        "is stored in plain text; set it with `pulumi config set --secret redisPassword <value>`",
      );
    }
  }

  for (const key of options.presentKeys ?? []) {
    if (specs.has(key)) continue;
    const guess = closestKey(key);
    errors.push(
      new ConfigError(
        key,
        "(value not shown)",
        `is not a known key${guess ? ` (did you mean ${guess}?)` : ""}`,
        namespace,
      ),
    );
  }

  if (errors.length > 0) throw new InvalidConfigError(errors);

  // With no errors every field above is defined; the assertions only restate that for the compiler.
  return {
    target: target!,
    linkMode: linkMode!,
    linkAlias: linkAlias!,
    redisAuth: redisAuth!,
    redisName: names.redisName!,
    appName: names.appName!,
    cliName: names.cliName!,
    probeName: names.probeName!,
    networkName: networkName!,
    networkSubnet: networkSubnet!,
    appPort: appPort!,
    ...(appImage !== undefined ? { appImage } : {}),
    redisImage: redisImage!,
    nodeImage: nodeImage!,
    probeImage: probeImage!,
    ...(dataVolume !== undefined ? { dataVolume } : {}),
    retainData: retainData!,
    checkRequests: checkRequests!,
    readyTimeoutSeconds: readyTimeoutSeconds!,
    appReplicas: appReplicas!,
    appPublish: appPublish!,
  };
}
