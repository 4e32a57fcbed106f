import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { StackConfig } from "../lib/config";
import { hostsEntry, Link, LinkSource, linkEnvMap } from "../lib/links";
import { LinkedContainer } from "./LinkedContainer";

const CHECKS_RUN = path.join(__dirname, "..", "checks", "run.js");

/** One check's result, as checks/run.js prints it. */
export interface CheckResult {
  check: string;
  ok: boolean;
  expected: string;
  seen: string;
  data: Record<string, unknown>;
}

/** The `verification` stack output. */
export interface VerificationResults {
  env: CheckResult;
  hosts: CheckResult;
  ping: CheckResult;
  http: CheckResult;
  keys: CheckResult;
  ok: boolean;
}

export interface VerificationArgs {
  config: StackConfig;
  source: pulumi.Output<LinkSource>;
  /** Changes when Redis is replaced (or, on a swarm, updated): every check re-runs then. */
  redisRevision: pulumi.Input<string>;
  /** Likewise for the app (a container, or on a swarm the replicated service). */
  appRevision: pulumi.Input<string>;
  probe: LinkedContainer;
  cli: LinkedContainer;
}

/**
 * The tutorial's five checks (env, /etc/hosts, ping, curl, KEYS *), each a command that runs
 * checks/run.js against the live containers during `pulumi up`. A check that fails fails the
 * update with what it expected and what it saw; each re-runs when a container it checks is
 * replaced (or, on a swarm, updated). Their results make up the `verification` stack output.
 *
 * On the swarm target the app's checks run in one of its task containers and see no link variables
 * and no hosts line: the alias resolves by DNS on the overlay to the address swarm gave Redis's task.
 * The http check sends a GET per replica at least, and wants two replicas (or the only one) to answer.
 */
export class Verification extends pulumi.ComponentResource {
  readonly results: pulumi.Output<VerificationResults>;

  constructor(name: string, args: VerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:verify:Verification", name, {}, opts);
    const { config, appRevision, probe, cli } = args;
    const legacy = config.linkMode === "legacy";
    const swarm = config.target === "swarm";
    const common = {
      CHECK_ALIAS: config.linkAlias,
      CHECK_MODE: config.linkMode,
      CHECK_TIMEOUT_SECONDS: String(config.readyTimeoutSeconds),
    };

    // `checked`: what the check looks at (container IDs, service revisions); a change re-runs it.
    const check = (
      checkName: string,
      checked: pulumi.Input<string>[],
      environment: Record<string, pulumi.Input<string>>,
      dependsOn: pulumi.Resource[] = [],
    ) =>
      new command.local.Command(
        `${name}-${checkName}`,
        {
          create: `node "$CHECKS_RUN" ${checkName}`,
          environment: { CHECKS_RUN, ...common, ...environment },
          triggers: [args.redisRevision, ...checked],
          logging: "stderr",
        },
        { parent: this, dependsOn },
      );

    // The link the app should have, computed from the configured alias (not from the app's own
    // link), so that an app wired to the wrong alias fails its checks.
    const expectedLink = args.source.apply((source): Link => ({
      source,
      alias: config.linkAlias,
      parentName: config.appName,
    }));

    // Where the alias must lead: Redis's fixed address, or the address swarm gave its task.
    const redisAddress: Record<string, string> = swarm
      ? { CHECK_EXPECTED_SERVICE: config.redisName, CHECK_NETWORK: config.networkName }
      : { CHECK_EXPECTED_ADDRESS: config.redisAddress };

    const env = check(
      "env",
      [appRevision],
      swarm
        ? { CHECK_SERVICE: config.appName }
        : {
            CHECK_CONTAINER: config.appName,
            CHECK_EXPECTED_ENV: legacy
              ? expectedLink.apply((link) => JSON.stringify(linkEnvMap(link)))
              : "{}",
          },
    );
    const hosts = check("hosts", [appRevision], {
      ...(swarm ? { CHECK_SERVICE: config.appName } : { CHECK_CONTAINER: config.appName }),
      ...(legacy
        ? {
            CHECK_EXPECTED_HOSTS: expectedLink.apply((link) => JSON.stringify(hostsEntry(link))),
          }
        : redisAddress),
    });
    const ping = check("ping", [probe.container.id], { CHECK_CONTAINER: config.probeName, ...redisAddress });
    const httpCheck = check(
      "http",
      [appRevision],
      swarm
        ? {
            CHECK_URL: `http://127.0.0.1:${config.appPort}/`,
            CHECK_REQUESTS: String(Math.max(config.checkRequests, config.appReplicas)),
            CHECK_MIN_SERVERS: String(Math.min(2, config.appReplicas)),
          }
        : {
            CHECK_URL: `http://127.0.0.1:${config.appPort}/`,
            CHECK_REQUESTS: String(config.checkRequests),
            // Named in a failure, with their logs: Redis if it never gets ready, else the app.
            CHECK_SOURCE_CONTAINER: config.redisName,
            CHECK_CONTAINER: config.appName,
          },
    );
    // KEYS * shows what the app stored, so it runs after the requests.
    const keys = check("keys", [cli.container.id], { CHECK_CONTAINER: config.cliName }, [httpCheck]);

    this.results = pulumi
      .all([env.stdout, hosts.stdout, ping.stdout, httpCheck.stdout, keys.stdout])
      .apply((stdouts) => {
        const [envResult, hostsResult, pingResult, httpResult, keysResult] = stdouts.map(
          (out) => JSON.parse(out) as CheckResult,
        );
        return {
          env: envResult,
          hosts: hostsResult,
          ping: pingResult,
          http: httpResult,
          keys: keysResult,
          ok: [envResult, hostsResult, pingResult, httpResult, keysResult].every((r) => r.ok),
        };
      });
    this.registerOutputs({ results: this.results });
  }
}
