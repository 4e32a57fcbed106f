// Runs the whole program (index.ts and its components) under Pulumi's mocks, for the wiring tests:
// what it registers, with which inputs, and what it exports.
import * as crypto from "crypto";
import type * as pulumiModule from "@pulumi/pulumi";
import type { MockResourceArgs, MockResourceResult, Mocks } from "@pulumi/pulumi/runtime";

export type Pulumi = typeof pulumiModule;
export type Program = typeof import("../../index");

export const PROJECT = "container-links";
export const CONTAINER = "docker:index/container:Container";
export const COMMAND = "command:local:Command";

/** What the mocks saw of one registration (components included). */
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

/**
 * Mocks that record every registration and answer as the providers would: a container gets an id
 * and hostname, a pulled image an image ID, a command the stdout `commandStdout` gives for its name
 * (throw there for a command the test does not expect).
 */
export function recordingMocks(commandStdout: (name: string) => string) {
  return (registrations: Registration[]): Mocks => ({
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
          return { id, state: { ...args.inputs, hostname: id.slice(0, 12) } };
        }
        case COMMAND:
          return {
            id: `${args.name}-id`,
            state: { ...args.inputs, stdout: commandStdout(args.name), stderr: "" },
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
    call: (args) => args.inputs,
  });
}

export interface LoadedProgram {
  pulumi: Pulumi;
  program: Program;
  registrations: Registration[];
}

/**
 * Imports the program afresh (new module registry, so index.ts runs again) with the mocks and the
 * given `container-links:*` config; `secrets` are the keys set as secrets. The SDK keeps its
 * runtime state in globals, so the copy of @pulumi/pulumi loaded here is the one configured and
 * used to read the outputs.
 */
export async function loadProgram(
  config: Record<string, string>,
  mocks: (registrations: Registration[]) => Mocks,
  { secrets = [], registrations = [] }: { secrets?: string[]; registrations?: Registration[] } = {},
): Promise<LoadedProgram> {
  jest.resetModules();
  const pulumi: Pulumi = await import("@pulumi/pulumi");
  await pulumi.runtime.setMocks(mocks(registrations), PROJECT, "unit", false);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    secrets.map((k) => `${PROJECT}:${k}`),
  );
  const program = await import("../../index");
  return { pulumi, program, registrations };
}

/** An export, all Outputs inside it resolved. */
export function resolved<T>(pulumi: Pulumi, value: T): Promise<pulumiModule.Unwrap<T>> {
  return new Promise((resolve) => pulumi.output(value).apply(resolve));
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
