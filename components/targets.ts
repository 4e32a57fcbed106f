import type { LinkMode } from "../lib/links";
import type { Target } from "./target";
import { RedisServer } from "./RedisServer";
import { CounterApp } from "./CounterApp";
import { SwarmRedis } from "./swarm/SwarmRedis";
import { SwarmApp, SwarmAppOptions } from "./swarm/SwarmApp";

/** What only the container target takes. */
export interface ContainerTargetOptions {
  /** legacy: Redis stays on the default bridge too, for `--link`; network: an alias on the stack's network. */
  linkMode: LinkMode;
}

/** Plain containers, as in the tutorial: `docker run` of Redis and the app. */
export function containerTarget(options: ContainerTargetOptions): Target {
  return {
    dataStore: (name, args) => new RedisServer(name, { ...args, linkMode: options.linkMode }),
    app: (name, args) => new CounterApp(name, args),
  };
}

/** What only the swarm target takes. */
export type SwarmTargetOptions = SwarmAppOptions;

/** Docker Swarm services (docs/swarm.md): one Redis task pinned to its volume's node, a replicated app. */
export function swarmTarget(options: SwarmTargetOptions): Target {
  return {
    dataStore: (name, args) =>
      new SwarmRedis(name, { ...args, readyTimeoutSeconds: options.readyTimeoutSeconds }),
    app: (name, args) => new SwarmApp(name, { ...args, ...options }),
  };
}
