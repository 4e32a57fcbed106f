// Pulumi's mocks for the wiring tests: they record every registration and invoke, and answer as the
// providers would (a container gets an id and a hostname, a pulled image an image ID, a command the
// stdout the test gives for it). Mocks never run anything. Components can be built alone under them
// (`useMocks`), or the whole program can be loaded afresh with a config (`loadProgram`).
import * as crypto from "crypto";
import type * as pulumiModule from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs, MockResourceResult, Mocks } from "@pulumi/pulumi/runtime";
import type { CheckResult, CheckSpec } from "../../checks/types";

export type Pulumi = typeof pulumiModule;

export const PROJECT = "container-links";
export const CONTAINER = "docker:index/container:Container";
export const COMMAND = "command:local:Command";
export const RUN = "command:local:run";

/** What the mocks saw of one registration (components included) or invoke. */
export interface Registration {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** A container id as Docker makes them: 64 hex digits, here derived from the resource name. */
export function containerId(name: string): string {
  return crypto.createHash("sha256").update(`container:${name}`).digest("hex");
}

/** The image ID the mocked `docker build` (the app image's invoke) prints. */
export const BUILT_IMAGE_ID = `sha256:${crypto.createHash("sha256").update("app image").digest("hex")}`;

/** `docker image inspect --format '{{json .Config}}' redis:...`, cut down to what a link copies. */
export const REDIS_IMAGE_CONFIG = {
  Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "REDIS_VERSION=7.4.2"],
  ExposedPorts: { "6379/tcp": {} },
};

/** The address each container of the stack's network gets from the mocks: one per name. */
export function mockAddress(name: string): string {
  return `10.99.0.${(parseInt(containerId(name).slice(0, 2), 16) % 200) + 20}`;
}

/**
 * What a check prints when it passes, for the spec it was given: checks/run.js's contract, with the
 * address ping saw (the expected one).
 */
export function passedCheck(spec: CheckSpec): CheckResult {
  const address = spec.check === "ping" && "ip" in spec.address ? spec.address.ip : null;
  const data = spec.check === "ping" ? { container: spec.in.container, target: spec.alias, address } : {};
  return {
    check: spec.check,
    ok: true,
    expected: `expected ${spec.check}`,
    seen: `seen ${spec.check}`,
    data,
    checkedAt: "2026-12-01T12:00:00.000Z",
    spec,
  } as CheckResult;
}

/** The stdout of the commands the program makes: the image config, the password, and the checks. */
export function programStdout(name: string, inputs: Record<string, unknown>): string {
  if (name.endsWith("-image-config")) return JSON.stringify(REDIS_IMAGE_CONFIG);
  if (name.endsWith("-generated")) return "0123456789abcdef0123456789abcdef0123456789abcdef";
  if (name.endsWith("-node")) return "node-id-1";
  const env = plain(inputs.environment) as Record<string, string> | undefined;
  if (env?.CHECK_SPEC) return JSON.stringify(passedCheck(JSON.parse(env.CHECK_SPEC)));
  // The app image's owner prints the image's ID; the network's owner the network's.
  if (env?.TAG) return BUILT_IMAGE_ID;
  if (env?.SUBNET) return `${name}-id`;
  throw new Error(`no mock stdout for command ${name}`);
}

/** Pulumi's wire form of a secret, as the mocks receive resource inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Whether `value` holds a secret anywhere. */
export function holdsSecret(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if ((value as Record<string, unknown>)[SECRET_SIG] !== undefined) return true;
  return Object.values(value).some(holdsSecret);
}

/** `value` with every secret unwrapped, as the provider will see it. */
export function plain(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG] !== undefined) return plain(record.value);
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plain(v)]));
}

/**
 * Mocks that record every registration and invoke into `registrations`. A command's stdout is what
 * `commandStdout` gives for it (throw there for a command the test does not expect); the app
 * image's invoke prints BUILT_IMAGE_ID.
 */
/** The networks of a fresh engine as the program lists them: name, then subnets. */
export const ENGINE_NETWORKS = "bridge 172.17.0.0/16\nhost \nnone \n";

export function recordingMocks(
  registrations: Registration[],
  commandStdout: (name: string, inputs: Record<string, unknown>) => string = programStdout,
): Mocks {
  return {
    newResource(args: MockResourceArgs): MockResourceResult {
      registrations.push({
        type: args.type,
        name: args.name,
        custom: args.custom ?? true,
        inputs: args.inputs,
      });
      switch (args.type) {
        case CONTAINER: {
          const id = containerId(args.name);
          const networks = (
            (args.inputs.networksAdvanceds ?? args.inputs.networksAdvanced ?? []) as {
              name: string;
              ipv4Address?: string;
            }[]
          ).map((n) => ({
            networkName: n.name,
            ipAddress: n.ipv4Address ?? mockAddress(args.name),
          }));
          return { id, state: { ...args.inputs, hostname: id.slice(0, 12), networkDatas: networks } };
        }
        case COMMAND:
          return {
            id: `${args.name}-id`,
            state: { ...args.inputs, stdout: commandStdout(args.name, args.inputs), stderr: "" },
          };
        case "docker:index/remoteImage:RemoteImage":
          return {
            id: `${args.name}-id`,
            state: { ...args.inputs, imageId: `${args.inputs.name}-image-id`, repoDigest: "" },
          };
        default:
          return { id: args.custom === false ? "" : `${args.name}-id`, state: args.inputs };
      }
    },
    call(args: MockCallArgs) {
      registrations.push({ type: args.token, name: args.token, custom: false, inputs: args.inputs });
      if (args.token === RUN) return { ...args.inputs, stdout: BUILT_IMAGE_ID, stderr: "" };
      throw new Error(`no mock for invoke ${args.token}`);
    },
  };
}

/**
 * Sets Pulumi's mocks for this test file (components are then built alone with `new`); returns the
 * registrations they record. Call it in the file's top level, before anything imports a component.
 */
export function useMocks(pulumi: Pulumi): Registration[] {
  const registrations: Registration[] = [];
  beforeAll(() => pulumi.runtime.setMocks(recordingMocks(registrations), PROJECT, "unit", false));
  beforeEach(() => {
    registrations.length = 0;
  });
  return registrations;
}

/**
 * Imports the program afresh (a new module registry, so index.ts runs again) with the mocks and the
 * given `container-links:*` config; `secrets` are the keys set as secrets. The SDK keeps its runtime
 * state in globals, so the copy of @pulumi/pulumi loaded here is the one configured, and the one to
 * read the outputs with.
 */
export async function loadProgram(
  config: Record<string, string>,
  {
    secrets = [],
    registrations = [],
    engineNetworks = ENGINE_NETWORKS,
  }: { secrets?: string[]; registrations?: Registration[]; engineNetworks?: string } = {},
): Promise<{ pulumi: Pulumi; program: typeof import("../../index"); registrations: Registration[] }> {
  jest.resetModules();
  // The engine the program checks its config against: its networks as the docker CLI would list them.
  jest.doMock("../../lib/config/engine", () => {
    const actual = jest.requireActual("../../lib/config/engine");
    return {
      ...actual,
      checkAgainstEngine: (c: unknown) => actual.checkAgainstEngine(c, () => engineNetworks),
    };
  });
  const pulumi: Pulumi = await import("@pulumi/pulumi");
  await pulumi.runtime.setMocks(recordingMocks(registrations), PROJECT, "unit", false);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    secrets.map((k) => `${PROJECT}:${k}`),
  );
  const program = await import("../../index");
  return { pulumi, program, registrations };
}

/** A value with all Outputs inside it resolved (bounded: a value that never resolves fails the test). */
export function resolved<T>(pulumi: Pulumi, value: T, ms = 20_000): Promise<pulumiModule.Unwrap<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`an output did not resolve within ${ms} ms`)), ms);
    pulumi.output(value).apply((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** The one registration of `type` named `name`; fails listing what was registered otherwise. */
export function registered(registrations: Registration[], type: string, name: string): Registration {
  const found = registrations.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const seen = registrations.map((r) => `${r.type} ${r.name}`).join("\n  ");
    throw new Error(`expected one ${type} named ${name}, found ${found.length}; registered:\n  ${seen}`);
  }
  return found[0];
}
