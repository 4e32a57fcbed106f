// The stack's configuration: keys and defaults from Pulumi.yaml (schema), the rules (rules, and
// lib/ipv4.ts for subnets), parsing into one typed StackConfig (parse) and the Pulumi adapter the
// program calls (load).
export { CONFIG_KEYS, CONFIG_NAMESPACE, configDefault } from "./schema";
export type { ConfigKeySpec, ConfigType } from "./schema";
export { ConfigError, InvalidConfigError } from "./errors";
export { APP_PUBLISH_MODES, LINK_MODES, parseConfig, REDIS_AUTH_MODES, TARGETS } from "./parse";
export type { AppPublish, LinkMode, ParseOptions, RedisAuth, StackConfig, Target } from "./parse";
export { subnetConflicts, subnetHost } from "../ipv4";
export type { EngineNetwork } from "../ipv4";
export { loadConfig } from "./load";
export type { LoadedConfig } from "./load";
export { checkAgainstEngine, engineProblems } from "./engine";
