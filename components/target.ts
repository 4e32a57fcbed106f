import type * as pulumi from "@pulumi/pulumi";
import type { Address, Subject } from "../checks/types";
import type { LinkMode, LinkSource } from "../lib/links";
import type { LinkOutputs } from "./LinkedContainer";
import type { AppBaseArgs } from "./appBase";
import type { RedisArgs } from "./redisBase";

// Where the tutorial runs: plain containers, or Docker Swarm services. Both targets make the same two
// things, a data store and an app, with the same shape, so the program wires them the same way. What
// only one target needs (link mode, replicas, ...) is given to its factory (targets.ts), not here.

/** The tutorial's data store, on either target. */
export interface DataStore {
  /** The network everything else joins, by name and by ID. */
  readonly network: { name: pulumi.Output<string>; id: pulumi.Output<string> };
  /** The Redis image's ID (redis-cli runs it too). */
  readonly imageId: pulumi.Output<string>;
  /** What a link to Redis is made from. */
  readonly linkSource: pulumi.Output<LinkSource>;
  /** Where the alias must lead. */
  readonly address: pulumi.Output<Address>;
  /** Redis's container or service, as the checks look for it. */
  readonly checked: pulumi.Output<Subject>;
  /** Changes when Redis is replaced, updated or moves: every check re-runs then. */
  readonly revision: pulumi.Output<string>;
  /** The `redis` stack output (the address comes from the checks). */
  readonly outputs: { name: pulumi.Output<string>; id: pulumi.Output<string> };
}

/** The tutorial's app, on either target. */
export interface App {
  /** What the env and hosts checks look into: the container, or a task of the service. */
  readonly checked: pulumi.Output<Subject>;
  /** How the app reaches Redis: a legacy link (variables and a hosts line) or DNS, and which DNS. */
  readonly reachesRedis: { mode: LinkMode; via: string };
  /** Swarm: the replicas behind the port (at least two of them must answer the checks). */
  readonly replicas?: number;
  /** The app through its published port. */
  readonly url: string;
  /** Changes when the app is replaced, updated or moves: its checks re-run then. */
  readonly revision: pulumi.Output<string>;
  /** The `app` stack output. */
  readonly outputs: { name: pulumi.Output<string>; url: string; replicas?: number };
  /** The `link` stack output: the link the app got. */
  readonly link: LinkOutputs;
}

/** A place the tutorial runs: it makes the data store and the app from what both targets take. */
export interface Target {
  dataStore(name: string, args: RedisArgs): DataStore;
  app(name: string, args: AppBaseArgs): App;
}
