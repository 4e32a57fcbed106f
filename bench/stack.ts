// The stack path: the repository's own program through the Automation API (the integration
// harness), on a bench stack with its own names, port and subnet: `up` from an empty stack to
// verified outputs, a no-op `up`, `preview`, `destroy`, each timed, the first `up` with its engine
// events.
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import {
  destroy,
  leftovers,
  openStack,
  preview,
  REPO_ROOT,
  uniqueName,
  up,
} from "../tests/integration/harness";
import { now } from "./exec";
import { StackRep } from "./report";
import { summarizeTimeline, TimelineEvent } from "./stats";

export interface StackPathSettings {
  images: { redis: string; app: string; probe: string; node: string };
  port: number;
  subnet: string;
}

/** Every name the bench stack gives a container, network or volume starts with this. */
export const STACK_PREFIX = "bench-s-";
/** Stacks of the bench are `it-bench-<pid>-<random>` (uniqueName). */
export const STACK_NAME_PREFIX = "it-bench-";
const LABEL = "bench stack";

/** Creates the bench stack (empty) with its config. */
export function openBenchStack(settings: StackPathSettings): Promise<Stack> {
  return openStack({
    workDir: REPO_ROOT,
    stackName: uniqueName("bench"),
    config: {
      redisName: `${STACK_PREFIX}redis-server`,
      appName: `${STACK_PREFIX}counter-app`,
      cliName: `${STACK_PREFIX}redis-cli`,
      probeName: `${STACK_PREFIX}link-probe`,
      networkName: `${STACK_PREFIX}net`,
      dataVolume: `${STACK_PREFIX}redis-data`,
      networkSubnet: settings.subnet,
      appPort: String(settings.port),
      // The image the raw path runs: nothing is built inside the timed `up`.
      appImage: settings.images.app,
      redisImage: settings.images.redis,
      probeImage: settings.images.probe,
      nodeImage: settings.images.node,
      retainData: "false",
    },
  });
}

function timelineEvent(e: EngineEvent, ms: number): TimelineEvent | undefined {
  const step = (kind: "pre" | "outputs" | "failed", m: { urn: string; type: string; op: string }) => ({
    ms,
    kind,
    urn: m.urn,
    type: m.type,
    op: m.op,
  });
  if (e.preludeEvent) return { ms, kind: "prelude" };
  if (e.summaryEvent) return { ms, kind: "summary" };
  if (e.resourcePreEvent) return step("pre", e.resourcePreEvent.metadata);
  if (e.resOutputsEvent) return step("outputs", e.resOutputsEvent.metadata);
  if (e.resOpFailedEvent) return step("failed", e.resOpFailedEvent.metadata);
  return undefined;
}

/** Resource changes other than "same": empty when an operation changed nothing. */
function changes(map: Record<string, number | undefined> | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(map ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0),
  ) as Record<string, number>;
}

/** Records an operation's engine events with their time since `start`. */
function recorder(start: number): { onEvent: (e: EngineEvent) => void; events: TimelineEvent[] } {
  const events: TimelineEvent[] = [];
  return {
    events,
    onEvent: (e) => {
      const event = timelineEvent(e, now() - start);
      if (event) events.push(event);
    },
  };
}

/** One cycle on an empty bench stack; leaves it empty again. */
export async function runStackPath(stack: Stack): Promise<StackRep> {
  const upStart = now();
  const upEvents = recorder(upStart);
  const first = await up(stack, LABEL, { onEvent: upEvents.onEvent });
  const upMs = now() - upStart;
  const verification = first.outputs.verification?.value as { ok?: boolean } | undefined;
  if (first.summary.result !== "succeeded" || verification?.ok !== true) {
    throw new Error(
      `stack path: up did not end with verified outputs (result ${first.summary.result}): ` +
        JSON.stringify(verification ?? null),
    );
  }

  const noopStart = now();
  const noopEvents = recorder(noopStart);
  const second = await up(stack, LABEL, { onEvent: noopEvents.onEvent });
  const noopUpMs = now() - noopStart;

  const previewStart = now();
  const previewEvents = recorder(previewStart);
  const third = await preview(stack, LABEL, { onEvent: previewEvents.onEvent });
  const previewMs = now() - previewStart;

  const destroyStart = now();
  const destroyEvents = recorder(destroyStart);
  const gone = await destroy(stack, LABEL, { onEvent: destroyEvents.onEvent });
  const destroyMs = now() - destroyStart;
  if (gone.summary.result !== "succeeded") {
    throw new Error(`stack path: destroy ended with ${gone.summary.result}`);
  }
  const left = await leftovers(STACK_PREFIX);
  if (left.length > 0) {
    throw new Error(`stack path: destroy left ${left.join(", ")}`);
  }

  return {
    upMs,
    noopUpMs,
    previewMs,
    destroyMs,
    cycleMs: upMs + destroyMs,
    noopChanges: changes(second.summary.resourceChanges),
    previewChanges: changes(third.changeSummary),
    timelines: {
      up: summarizeTimeline(upEvents.events, upMs),
      noopUp: summarizeTimeline(noopEvents.events, noopUpMs),
      preview: summarizeTimeline(previewEvents.events, previewMs),
      destroy: summarizeTimeline(destroyEvents.events, destroyMs),
    },
  };
}
