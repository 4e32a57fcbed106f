// Parity with Docker's own link: a legacy-mode test stack, then a throwaway busybox container linked
// to its Redis with a REAL `docker run --link` (Redis stays on the default bridge in legacy mode, where
// links work). What Docker gives that probe is compared with what the stack's emulation gave the app.
//
// One difference is by design: the emulation points at Redis's fixed address on the stack's own
// network (so the link survives a Redis restart, which can change the bridge address), while Docker
// points at Redis's default-bridge address. The tests assert that the address is the ONLY difference
// (besides <ALIAS>_NAME, which names the receiving container, and the order of the variables inside
// the container, which the docker provider does not keep).
import { Stack } from "@pulumi/pulumi/automation";
import {
  BUDGET_MS,
  destroy,
  docker,
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
  redisHostname: string;
  engineVersion: string;
  exposedPorts: string[];
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

    // Docker's own link, to the same Redis container.
    await docker([
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
    ]);

    const [inspected] = JSON.parse(await docker(["inspect", "--type", "container", redis.name]));
    const networks = inspected.NetworkSettings.Networks as Record<string, { IPAddress: string }>;
    observed = {
      fixedAddress: redis.ip,
      bridgeAddress: networks.bridge.IPAddress,
      redisHostname: inspected.Config.Hostname,
      engineVersion: await docker(["version", "--format", "{{.Server.Version}}"]),
      exposedPorts: Object.keys(inspected.Config.ExposedPorts ?? {}),
      docker: await linkView(PROBE_NAME),
      ours: await linkView(NAMES.app),
    };
    // The fixed address is Redis's real address on the stack network, not just a config value.
    expect(networks[NAMES.network].IPAddress).toBe(redis.ip);
    process.stderr.write(
      `[${LABEL}] Docker's link (${PROBE_NAME}): ${JSON.stringify({
        vars: Object.fromEntries(observed.docker.vars),
        hosts: observed.docker.hostsLines,
      })}\n[${LABEL}] our emulation (${NAMES.app}): ${JSON.stringify({
        vars: Object.fromEntries(observed.ours.vars),
        hosts: observed.ours.hostsLines,
      })}\n`,
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

test(
  "env: Docker's link variables and ours are the same set with the same values, except <ALIAS>_NAME " +
    "(names the receiving container) and the address (ours is Redis's fixed address on the stack " +
    "network by design, Docker's its default-bridge address)",
  () => {
    const o = requireObserved();
    // The Redis image exposes a port, so an engine that injects link variables sets <ALIAS>_PORT.
    expect(o.exposedPorts.length).toBeGreaterThan(0);
    if (!o.docker.vars.has(`${PREFIX}_PORT`)) {
      console.warn(
        `parity: env comparison skipped: Docker ${o.engineVersion} injected no ${PREFIX}_* variables into ` +
          `${PROBE_NAME} although Redis exposes ${o.exposedPorts.join(", ")} (Docker Engine 29+ drops ` +
          "link env vars unless the daemon runs with DOCKER_KEEP_DEPRECATED_LEGACY_LINKS_ENV_VARS=1); " +
          "only the /etc/hosts line is compared",
      );
      // Only an engine that is known to drop them may skip: on 20.10 the comparison must run.
      expect(Number(o.engineVersion.split(".")[0])).toBeGreaterThanOrEqual(29);
      return;
    }

    const nameKey = `${PREFIX}_NAME`;
    expect(o.docker.vars.get(nameKey)).toBe(`/${PROBE_NAME}/${ALIAS}`);
    expect(o.ours.vars.get(nameKey)).toBe(`/${NAMES.app}/${ALIAS}`);
    const withoutName = (vars: Map<string, string>) => [...vars].filter(([key]) => key !== nameKey);
    const dockerVars = withoutName(o.docker.vars);
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
