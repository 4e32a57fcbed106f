import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { StackConfig } from "../lib/config";
import { hostsEntry, LinkSource } from "../lib/links";
import { LinkedContainer } from "./LinkedContainer";
import { SwarmApp } from "./SwarmApp";

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
  /**
   * The container Redis runs in, or (swarm target) its service's revision; a change re-runs every
   * check.
   */
  redisId: pulumi.Input<string>;
  /** The app: a linked container, or (swarm target) the replicated service. */
  app: LinkedContainer | SwarmApp;
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
    const { config, app, probe, cli } = args;
    const legacy = config.linkMode === "legacy";
    const appRevision = app instanceof SwarmApp ? app.revision : app.container.id;
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
          triggers: [args.redisId, ...checked],
          logging: "stderr",
        },
        { parent: this, dependsOn },
      );

    // Where the alias must lead: Redis's fixed address, or the address swarm gave its task.
    const redisAddress: Record<string, string> =
      app instanceof SwarmApp
        ? { CHECK_EXPECTED_SERVICE: config.redisName, CHECK_NETWORK: config.networkName }
        : { CHECK_EXPECTED_ADDRESS: config.redisAddress };

    const env = check(
      "env",
      [appRevision],
      app instanceof SwarmApp
        ? { CHECK_SERVICE: config.appName }
        : {
            CHECK_CONTAINER: config.appName,
            CHECK_EXPECTED_ENV: app.linkEnvMap.apply((vars) => JSON.stringify(vars)),
          },
    );
    const hosts = check("hosts", [appRevision], {
      ...(app instanceof SwarmApp ? { CHECK_SERVICE: config.appName } : { CHECK_CONTAINER: config.appName }),
      ...(legacy
        ? {
            CHECK_EXPECTED_HOSTS: args.source.apply((source) =>
              JSON.stringify(hostsEntry({ source, alias: config.linkAlias, parentName: config.appName })),
            ),
          }
        : redisAddress),
    });
    const ping = check("ping", [probe.container.id], { CHECK_CONTAINER: config.probeName, ...redisAddress });
    const httpCheck = check(
      "http",
      [appRevision],
      app instanceof SwarmApp
        ? {
            CHECK_URL: `http://127.0.0.1:${config.appPort}/`,
            CHECK_REQUESTS: String(Math.max(config.checkRequests, config.appReplicas)),
            CHECK_MIN_SERVERS: String(Math.min(2, config.appReplicas)),
          }
        : { CHECK_URL: `http://127.0.0.1:${config.appPort}/`, CHECK_REQUESTS: String(config.checkRequests) },
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
