import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { StackConfig } from "../lib/config";
import { hostsEntry, LinkSource } from "../lib/links";
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
  /** The container Redis runs in; its replacement re-runs every check. */
  redisId: pulumi.Input<string>;
  app: LinkedContainer;
  probe: LinkedContainer;
  cli: LinkedContainer;
}

/**
 * The tutorial's five checks (env, /etc/hosts, ping, curl, KEYS *), each a command that runs
 * checks/run.js against the live containers during `pulumi up`. A check that fails fails the
 * update with what it expected and what it saw; each re-runs when a container it checks is
 * replaced. Their results make up the `verification` stack output.
 */
export class Verification extends pulumi.ComponentResource {
  readonly results: pulumi.Output<VerificationResults>;

  constructor(name: string, args: VerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:verify:Verification", name, {}, opts);
    const { config, app, probe, cli } = args;
    const legacy = config.linkMode === "legacy";
    const common = {
      CHECK_ALIAS: config.linkAlias,
      CHECK_MODE: config.linkMode,
      CHECK_TIMEOUT_SECONDS: String(config.readyTimeoutSeconds),
    };

    const check = (
      checkName: string,
      checked: LinkedContainer[],
      environment: Record<string, pulumi.Input<string>>,
      dependsOn: pulumi.Resource[] = [],
    ) =>
      new command.local.Command(
        `${name}-${checkName}`,
        {
          create: `node "$CHECKS_RUN" ${checkName}`,
          environment: { CHECKS_RUN, ...common, ...environment },
          triggers: [args.redisId, ...checked.map((c) => c.container.id)],
          logging: "stderr",
        },
        { parent: this, dependsOn },
      );

    const env = check("env", [app], {
      CHECK_CONTAINER: config.appName,
      CHECK_EXPECTED_ENV: app.linkEnvMap.apply((vars) => JSON.stringify(vars)),
    });
    const hosts = check("hosts", [app], {
      CHECK_CONTAINER: config.appName,
      ...(legacy
        ? {
            CHECK_EXPECTED_HOSTS: args.source.apply((source) =>
              JSON.stringify(hostsEntry({ source, alias: config.linkAlias, parentName: config.appName })),
            ),
          }
        : { CHECK_EXPECTED_ADDRESS: config.redisAddress }),
    });
    const ping = check("ping", [probe], {
      CHECK_CONTAINER: config.probeName,
      CHECK_EXPECTED_ADDRESS: config.redisAddress,
    });
    const httpCheck = check("http", [app], {
      CHECK_URL: `http://127.0.0.1:${config.appPort}/`,
      CHECK_REQUESTS: String(config.checkRequests),
    });
    // KEYS * shows what the app stored, so it runs after the requests.
    const keys = check("keys", [cli], { CHECK_CONTAINER: config.cliName }, [httpCheck]);

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
