// Parity with Docker's own link: a legacy-mode test stack, then a throwaway busybox container linked
// to its Redis with a REAL `docker run --link` (Redis stays on the default bridge in legacy mode, where
// links work). What Docker gives that probe is compared with what the stack's emulation gave the app,
// on whichever engine runs the tests, and both are printed:
//   - Engines before 29 (API below 1.52) inject the link variables and write the /etc/hosts line: the
//     stack's must be the same.
//   - Engine 29 and later write only the hosts line (their daemon drops the variables unless it runs
//     with DOCKER_KEEP_DEPRECATED_LEGACY_LINKS_ENV_VARS=1): the probe must get none, and the stack
//     still gives the app the full set; it is compared with what Docker's rules (lib/links.ts, checked
//     against a real link on the older engines) give the probe.
//
// One difference is by design: the emulation points at Redis's fixed address on the stack's own
// network (so the link survives a Redis restart, which can change the bridge address), while Docker
// points at Redis's default-bridge address. The tests assert that the address is the ONLY difference
// (besides <ALIAS>_NAME, which names the receiving container, and the order of the variables inside
// the container, which the docker provider does not keep).
import { Stack } from "@pulumi/pulumi/automation";
import { linkEnvMap, parsePortSpec } from "../../lib/links";
import {
  BUDGET_MS,
  destroy,
  docker,
  engineVersion,
  injectsLinkVars,
  leftovers,
  openStack,
  REPO_ROOT,
  removeStack,
  uniqueName,
  up,
} from "./harness";
import { programConfig, programNames } from "./program-stack";

const STACK_NAME = uniqueName("parity");
const PROBE_NAME = uniqueName("parity-probe");
const LABEL = "parity";
// A hyphen in the alias also exercises Docker's "-" to "_" rule for the variable names.
const ALIAS = "redis-db";
const PREFIX = "REDIS_DB";
const SUBNET = "172.31.243.0/24";
const APP_PORT = 3121;
const NAMES = programNames(STACK_NAME);

/** One container's view of the link: its `<PREFIX>_*` variables (in env order) and its hosts records. */
interface LinkView {
  vars: Map<string, string>;
  hostsLines: string[];
}

interface Observed {
  /** The address the stack's links point at: Redis's fixed address on the stack network. */
  fixedAddress: string;
  /** Redis's address on Docker's default bridge, where the real link points. */
  bridgeAddress: string;
  redisId: string;
  redisHostname: string;
  /** Redis's env (image ENV plus the container's own), which Docker copies as <ALIAS>_ENV_*. */
  redisEnv: string[];
  exposedPorts: string[];
  engine: { version: string; api: string };
  docker: LinkView;
  ours: LinkView;
}

let stack: Stack | undefined;
let observed: Observed | undefined;

/** `KEY=value` lines of `env`, keeping only the link variables of the alias, in order. */
function linkVars(envOutput: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of envOutput.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0 && line.startsWith(`${PREFIX}_`)) vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return vars;
}

/** The /etc/hosts lines (verbatim) that list the alias as one of their names. */
function aliasLines(hosts: string): string[] {
  return hosts.split("\n").filter((line) => line.trim().split(/\s+/).slice(1).includes(ALIAS));
}

function hostsRecord(line: string): { ip: string; names: string[] } {
  const [ip, ...names] = line.trim().split(/\s+/);
  return { ip, names };
}

/** Every occurrence of the IPv4 address `from` (not as part of a longer address) replaced by `to`. */
function replaceAddress(value: string, from: string, to: string): string {
  return value.replace(addressPattern(from), to);
}

function containsAddress(value: string, address: string): boolean {
  return addressPattern(address).test(value);
}

function addressPattern(address: string): RegExp {
  return new RegExp(`(?<![0-9.])${address.replaceAll(".", "\\.")}(?![0-9])`, "g");
}

async function linkView(container: string): Promise<LinkView> {
  const [env, hosts] = await Promise.all([
    docker(["exec", container, "env"]),
    docker(["exec", container, "cat", "/etc/hosts"]),
  ]);
  return { vars: linkVars(env), hostsLines: aliasLines(hosts) };
}

function requireObserved(): Observed {
  if (!observed) throw new Error("the stack or the probe did not come up (see beforeAll)");
  return observed;
}

beforeAll(
  async () => {
    stack = await openStack({
      workDir: REPO_ROOT,
      stackName: STACK_NAME,
      config: programConfig(NAMES, {
        linkMode: "legacy",
        port: APP_PORT,
        subnet: SUBNET,
        extra: { linkAlias: ALIAS, retainData: "false" },
      }),
    });
    const result = await up(stack, LABEL);
    const redis = result.outputs.redis.value as { name: string; id: string; ip: string };

    // Docker's own link, to the same Redis container (Engine 29 warns that such links are deprecated).
    let linkWarnings = "";
    await docker(
      [
        "run",
        "-d",
        "--pull",
        "never",
        "--name",
        PROBE_NAME,
        "--link",
        `${redis.name}:${ALIAS}`,
        "busybox:1.38",
        "sleep",
        "600",
      ],
      { onStderr: (stderr) => (linkWarnings = stderr.trim()) },
    );

    const [inspected] = JSON.parse(await docker(["inspect", "--type", "container", redis.name]));
    const networks = inspected.NetworkSettings.Networks as Record<string, { IPAddress: string }>;
    observed = {
      fixedAddress: redis.ip,
      bridgeAddress: networks.bridge.IPAddress,
      redisId: inspected.Id,
      redisHostname: inspected.Config.Hostname,
      redisEnv: inspected.Config.Env ?? [],
      exposedPorts: Object.keys(inspected.Config.ExposedPorts ?? {}),
      engine: await engineVersion(),
      docker: await linkView(PROBE_NAME),
      ours: await linkView(NAMES.app),
    };
    // The fixed address is Redis's real address on the stack network, not just a config value.
    expect(networks[NAMES.network].IPAddress).toBe(redis.ip);
    const o = observed;
    const dockerKeys = new Set(o.docker.vars.keys());
    const added = [...o.ours.vars.keys()].filter((key) => !dockerKeys.has(key));
    const summary = (view: LinkView) =>
      `${view.vars.size} ${PREFIX}_* variables${view.vars.size > 0 ? ` (${[...view.vars.keys()].join(" ")})` : ""} ` +
      `and ${view.hostsLines.length} hosts line(s) ${JSON.stringify(view.hostsLines)}`;
    process.stderr.write(
      [
        `[${LABEL}] Docker ${o.engine.version} (API ${o.engine.api}): its own \`docker run --link ${redis.name}:${ALIAS}\` ` +
          `gave ${PROBE_NAME} ${summary(o.docker)}` +
          (injectsLinkVars(o.engine.api) ? "" : " (Engine 29 and later write the hosts line only)"),
        ...(linkWarnings ? [`[${LABEL}] Docker warned: ${linkWarnings}`] : []),
        `[${LABEL}] the stack's legacy link gave ${NAMES.app} ${summary(o.ours)}`,
        `[${LABEL}] what the stack adds over this engine's own --link: ` +
          (added.length > 0 ? `${added.length} variables (${added.join(" ")})` : "no variable") +
          "; the same hosts line at its fixed address",
        `[${LABEL}] Docker's link (${PROBE_NAME}): ${JSON.stringify(Object.fromEntries(o.docker.vars))}`,
        `[${LABEL}] our emulation (${NAMES.app}): ${JSON.stringify(Object.fromEntries(o.ours.vars))}`,
        "",
      ].join("\n"),
    );
  },
  BUDGET_MS.openStack + BUDGET_MS.up + 8 * BUDGET_MS.docker + 30_000,
);

afterAll(
  async () => {
    await docker(["rm", "-f", PROBE_NAME]).catch(() => undefined);
    if (stack) await removeStack(stack);
  },
  BUDGET_MS.docker + BUDGET_MS.destroy + BUDGET_MS.removeStack + 30_000,
);

test("the two addresses differ, so the comparison can tell them apart", () => {
  const o = requireObserved();
  expect(o.bridgeAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(o.fixedAddress).toBe("172.31.243.10");
  expect(o.bridgeAddress).not.toBe(o.fixedAddress);
});

test("Docker's own --link: all the link variables before Engine 29, none from Engine 29 on", () => {
  const o = requireObserved();
  // The Redis image exposes a port, so an engine that injects link variables sets <ALIAS>_PORT.
  expect(o.exposedPorts.length).toBeGreaterThan(0);
  if (injectsLinkVars(o.engine.api)) {
    expect(o.docker.vars.get(`${PREFIX}_PORT`)).toBe(`tcp://${o.bridgeAddress}:6379`);
    expect(o.docker.vars.get(`${PREFIX}_NAME`)).toBe(`/${PROBE_NAME}/${ALIAS}`);
  } else {
    // (A daemon started with DOCKER_KEEP_DEPRECATED_LEGACY_LINKS_ENV_VARS=1 would still inject them.)
    expect([...o.docker.vars.keys()]).toEqual([]);
  }
});

test(
  "env: the stack's link variables are the set Docker's --link gives, with the same values except " +
    "<ALIAS>_NAME (names the receiving container) and the address (ours is Redis's fixed address on the " +
    "stack network by design, Docker's its default-bridge address); from Engine 29 on, Docker's set is " +
    "what its rules give the probe, since its --link no longer injects it",
  () => {
    const o = requireObserved();
    const dockerSet = injectsLinkVars(o.engine.api)
      ? o.docker.vars
      : new Map(
          Object.entries(
            linkEnvMap({
              source: {
                name: NAMES.redis,
                id: o.redisId,
                hostname: o.redisHostname,
                ip: o.bridgeAddress,
                exposedPorts: o.exposedPorts.map(parsePortSpec),
                env: o.redisEnv,
              },
              alias: ALIAS,
              parentName: PROBE_NAME,
            }),
          ),
        );

    const nameKey = `${PREFIX}_NAME`;
    expect(dockerSet.get(nameKey)).toBe(`/${PROBE_NAME}/${ALIAS}`);
    expect(o.ours.vars.get(nameKey)).toBe(`/${NAMES.app}/${ALIAS}`);
    const withoutName = (vars: Map<string, string>) => [...vars].filter(([key]) => key !== nameKey);
    const dockerVars = withoutName(dockerSet);
    const ourVars = new Map(withoutName(o.ours.vars));

    // The same variables. Compared as a set: the provider's `envs` is a set (the bridged Terraform
    // provider's `env` is a TypeSet), so the container gets them in the provider's order, not Docker's.
    expect([...ourVars.keys()].sort()).toEqual(dockerVars.map(([key]) => key).sort());

    // The values that differ are exactly the ones holding the address...
    const differing = dockerVars.filter(([key, value]) => ourVars.get(key) !== value).map(([key]) => key);
    const withAddress = dockerVars
      .filter(([, value]) => containsAddress(value, o.bridgeAddress))
      .map(([key]) => key);
    expect(withAddress).toEqual(
      expect.arrayContaining([`${PREFIX}_PORT`, `${PREFIX}_PORT_6379_TCP`, `${PREFIX}_PORT_6379_TCP_ADDR`]),
    );
    expect(differing).toEqual(withAddress);
    // ...and the fixed address put in place of the bridge address makes them identical.
    const substituted = dockerVars.map(([key, value]) => [
      key,
      replaceAddress(value, o.bridgeAddress, o.fixedAddress),
    ]);
    expect(Object.fromEntries(substituted)).toEqual(Object.fromEntries(ourVars));
  },
);

test(
  "/etc/hosts: one line for the alias with the same names in the same order (alias, Redis hostname, " +
    "Redis name); ours at the fixed address by design, Docker's at the bridge address",
  () => {
    const o = requireObserved();
    expect(o.docker.hostsLines).toHaveLength(1);
    expect(o.ours.hostsLines).toHaveLength(1);
    const [dockerLine] = o.docker.hostsLines;
    const [ourLine] = o.ours.hostsLines;

    expect(hostsRecord(dockerLine)).toEqual({
      ip: o.bridgeAddress,
      names: [ALIAS, o.redisHostname, NAMES.redis],
    });
    expect(hostsRecord(ourLine)).toEqual({ ip: o.fixedAddress, names: hostsRecord(dockerLine).names });
    // Byte for byte (separators included) once the address is swapped.
    expect(replaceAddress(dockerLine, o.bridgeAddress, o.fixedAddress)).toBe(ourLine);
  },
);

test(
  "the probe is removed and the stack destroyed without leftovers",
  async () => {
    requireObserved();
    await docker(["rm", "-f", PROBE_NAME]);
    const gone = await destroy(stack!, LABEL);
    expect(gone.summary.result).toBe("succeeded");
    expect([...(await leftovers(STACK_NAME)), ...(await leftovers(PROBE_NAME))]).toEqual([]);
    // The app image the stack built for this run goes with it.
    expect(await docker(["image", "ls", "--quiet", `container-links/${NAMES.app}`])).toBe("");
    await removeStack(stack!);
  },
  BUDGET_MS.docker + BUDGET_MS.destroy + BUDGET_MS.removeStack + 30_000,
);
