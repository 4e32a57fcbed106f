import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { CheckName, CheckResult, CheckSpec, ContainerRef } from "../checks/types";
import { envPrefix, hostsEntry, Link, linkEnvMap, linkVarPattern } from "../lib/links";
import type { App, DataStore } from "./target";

const CHECKS_RUN = path.join(__dirname, "..", "checks", "run.js");

/** Keys the app writes on every request (`INCR requests`, `HINCRBY ip ...`). */
const APP_KEYS = ["ip", "requests"];

/** A container the checks run commands in, and what changes when it is replaced or moves. */
export interface CheckedContainer {
  ref: pulumi.Output<ContainerRef>;
  revision: pulumi.Output<string>;
}

export interface VerificationArgs {
  /** The alias the app and redis-cli must reach Redis by (the configured one, whatever the app got). */
  alias: string;
  dataStore: Pick<DataStore, "linkSource" | "address" | "checked" | "revision">;
  app: Pick<App, "checked" | "reachesRedis" | "replicas" | "url" | "revision">;
  /** The tutorial's `docker run --link redis-server:redis alpine` container, for ping. */
  probe: CheckedContainer;
  /** The redis-cli container, for KEYS *, and the file in it holding Redis's password (if Redis has one). */
  cli: CheckedContainer & { passwordFile?: string };
  /** GETs the http check sends (at least one per replica on a swarm). */
  requests: number;
  /** Bound on every wait of each check, in seconds. */
  timeoutSeconds: number;
}

/** The `verification` stack output: each check's result, and whether all passed. */
export type VerificationResults = { [C in CheckName]: CheckResult<C> } & {
  ok: boolean;
  /** When the last of the checks looked: the results are a record of that moment. */
  checkedAt: string;
};

/**
 * The tutorial's five checks (env, /etc/hosts, ping, curl, KEYS *), each a command that runs
 * checks/run.js on one spec (checks/types.d.ts) against the live containers during `pulumi up`. A
 * check that fails fails the update with what it expected and what it saw. Each re-runs when what it
 * looks at changes: a container or service replaced, updated, or back on another address. Their
 * results, with the specs, make up the `verification` stack output; `npm run verify` runs the specs
 * again, now.
 */
export class Verification extends pulumi.ComponentResource {
  readonly results: pulumi.Output<VerificationResults>;
  /** The address the alias led to, as the ping check saw it. */
  readonly redisAddress: pulumi.Output<string>;

  constructor(name: string, args: VerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:verify:Verification", name, {}, opts);
    const { alias, dataStore, app, timeoutSeconds } = args;
    const legacy = app.reachesRedis.mode === "legacy";

    const check = <C extends CheckName>(
      checkName: C,
      spec: pulumi.Input<Extract<CheckSpec, { check: C }>>,
      looksAt: pulumi.Input<string>[],
      dependsOn: pulumi.Resource[] = [],
    ) => {
      const cmd = new command.local.Command(
        `${name}-${checkName}`,
        {
          create: 'node "$CHECKS_RUN"',
          environment: { CHECKS_RUN, CHECK_SPEC: pulumi.output(spec).apply((s) => JSON.stringify(s)) },
          triggers: [dataStore.revision, ...looksAt],
          logging: "stderr",
        },
        { parent: this, dependsOn },
      );
      return { cmd, result: cmd.stdout.apply((out) => JSON.parse(out) as CheckResult<C>) };
    };

    // The link the app should have, from the configured alias (not from the app's own link), so that
    // an app linked under another name fails its checks.
    const expectedLink = pulumi.all([dataStore.linkSource, app.checked]).apply(([source, subject]): Link => ({
      source,
      alias,
      parentName: "container" in subject ? subject.container : subject.service,
    }));
    const linkVars = { prefix: envPrefix(alias), pattern: linkVarPattern(alias).source };

    const env = check(
      "env",
      pulumi.all([app.checked, expectedLink]).apply(([subject, link]) => ({
        check: "env" as const,
        timeoutSeconds,
        in: subject,
        alias,
        linkVars,
        expected: legacy ? linkEnvMap(link) : {},
        ...(legacy ? {} : { noneBecause: app.reachesRedis.via }),
      })),
      [app.revision],
    );
    const hosts = check(
      "hosts",
      pulumi.all([app.checked, expectedLink, dataStore.address]).apply(([subject, link, address]) => ({
        check: "hosts" as const,
        timeoutSeconds,
        in: subject,
        alias,
        expected: legacy ? { line: hostsEntry(link) } : { resolvesTo: address, via: app.reachesRedis.via },
      })),
      [app.revision],
    );
    const ping = check(
      "ping",
      pulumi.all([args.probe.ref, dataStore.address]).apply(([probe, address]) => ({
        check: "ping" as const,
        timeoutSeconds,
        in: probe,
        alias,
        address,
      })),
      [args.probe.revision],
    );
    const replicas = app.replicas;
    const url = new URL(app.url);
    // A port published here: on IPv4 loopback, whatever `localhost` resolves to first.
    if (url.hostname === "localhost") url.hostname = "127.0.0.1";
    const http = check(
      "http",
      pulumi.all([app.checked, dataStore.checked]).apply(([appSubject, redisSubject]) => ({
        check: "http" as const,
        timeoutSeconds,
        url: url.href,
        requests: Math.max(args.requests, replicas ?? 1),
        ...(replicas === undefined ? {} : { minServers: Math.min(2, replicas) }),
        // Named in a failure, with their logs: Redis if it never gets ready, else the app.
        ...("container" in appSubject ? { app: appSubject } : { service: appSubject }),
        ...("container" in redisSubject ? { source: redisSubject } : {}),
      })),
      [app.revision],
    );
    // KEYS * shows what the app stored, so it runs after the requests.
    const keys = check(
      "keys",
      args.cli.ref.apply((cli) => ({
        check: "keys" as const,
        timeoutSeconds,
        in: cli,
        alias,
        keys: APP_KEYS,
        ...(args.cli.passwordFile === undefined ? {} : { passwordFile: args.cli.passwordFile }),
      })),
      [args.cli.revision],
      [http.cmd],
    );

    this.results = pulumi
      .all([env.result, hosts.result, ping.result, http.result, keys.result])
      .apply(([envResult, hostsResult, pingResult, httpResult, keysResult]) => {
        const all = [envResult, hostsResult, pingResult, httpResult, keysResult];
        return {
          env: envResult,
          hosts: hostsResult,
          ping: pingResult,
          http: httpResult,
          keys: keysResult,
          ok: all.every((r) => r.ok),
          checkedAt: all.map((r) => r.checkedAt).sort()[all.length - 1],
        };
      });
    this.redisAddress = ping.result.apply((r) => r.data.address ?? "");
    this.registerOutputs({ results: this.results });
  }
}
