// The configuration checked against the Docker engine it is aimed at, before the program makes
// anything (previews included): what no rule on the values alone can see.
import { execFileSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import { subnetConflicts } from "../ipv4";
import { ConfigError, InvalidConfigError } from "./errors";
import type { StackConfig } from "./parse";

type Checked = Pick<StackConfig, "networkName" | "networkSubnet">;

/** How long asking the engine may take. */
const ENGINE_TIMEOUT_MS = 15_000;

/**
 * The engine's networks, one per line: its name, then its subnets. Asked with the docker CLI, which
 * reaches the same engine as the docker provider (DOCKER_HOST, else the local socket).
 */
export function engineNetworks(): string {
  const run = (args: string[]) =>
    execFileSync("docker", args, {
      encoding: "utf8",
      timeout: ENGINE_TIMEOUT_MS,
      stdio: ["ignore", "pipe", "pipe"],
    });
  const ids = run(["network", "ls", "--quiet"]).split("\n").filter(Boolean);
  return run([
    "network",
    "inspect",
    "--format",
    "{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}",
    ...ids,
  ]);
}

/**
 * What is wrong with the configuration on an engine whose networks are `listing` (as engineNetworks
 * gives them): `networkSubnet` sharing addresses with a network other than the stack's own, where
 * Docker would refuse the stack's network or route its traffic elsewhere. Undefined when all is well.
 */
export function engineProblems(
  config: Checked,
  listing: string,
  namespace: string,
): InvalidConfigError | undefined {
  // A blank line gives a network without subnets, which conflicts with nothing.
  const networks = listing.split("\n").map((line) => {
    const [name, ...subnets] = line.trim().split(/\s+/);
    return { name, subnets };
  });
  const conflicts = subnetConflicts(config.networkSubnet, networks, config.networkName);
  if (conflicts.length === 0) return undefined;
  const taken = conflicts.map((c) => `${c.name} (${c.subnet})`).join(", ");
  const problem = `overlaps the engine's network ${taken}; pick a free subnet`;
  return new InvalidConfigError([
    new ConfigError("networkSubnet", JSON.stringify(config.networkSubnet), problem, namespace),
  ]);
}

/**
 * Stops the program, naming the key as an invalid value does, when the configuration does not fit
 * the engine. Call it right after loadConfig(), before anything is made.
 */
export function checkAgainstEngine(config: Checked, networks: () => string = engineNetworks): void {
  let listing: string;
  try {
    listing = networks();
  } catch (err) {
    // Nothing to check against: the engine is not there, and the docker provider will say so.
    pulumi.log.warn(
      `could not list the Docker engine's networks to check networkSubnet: ${err instanceof Error ? err.message : err}`,
    );
    return;
  }
  const problems = engineProblems(config, listing, new pulumi.Config().name);
  if (problems === undefined) return;
  const runError = new pulumi.RunError(problems.message);
  runError.cause = problems;
  throw runError;
}
