// A Pulumi operation's engine events, stamped with the time the bench saw them, laid out as
// consecutive phases (where the seconds go) and as resource spans. Pure.

/** One engine event: milliseconds since the command was started. */
export interface EngineStep {
  ms: number;
  /** The engine started (prelude), a resource step began (pre) or ended (done: outputs or failed). */
  kind: "prelude" | "pre" | "done";
  urn?: string;
  type?: string;
  /** create, same, delete, refresh, ... */
  op?: string;
}

/** Every phase an operation can have, in the order they happen. */
export const PHASE_ORDER =
  "CLI start,refresh,language host + SDK,program,providers,resources,checks,deletes,finish";

const STACK = "pulumi:pulumi:Stack";
const name = (urn = "") => urn.slice(urn.lastIndexOf("::") + 2);
/** A custom resource or provider: not the stack, nor this project's components (`container-links:*`). */
const custom = (e: EngineStep) =>
  e.type !== undefined && e.type !== STACK && !e.type.startsWith("container-links:");
const provider = (e: EngineStep) => e.type?.startsWith("pulumi:providers:") === true;
/** The tutorial's checks: the Verification component's command resources, `verify-<check>`. */
const check = (e: EngineStep) => e.type === "command:local:Command" && name(e.urn).startsWith("verify-");
const firstPre = (events: EngineStep[]) => events.find((e) => e.kind === "pre")?.ms ?? null;
const lastDone = (events: EngineStep[]) => events.filter((e) => e.kind === "done").pop()?.ms ?? null;

/** Phases end to end, each to its milestone; milestones that did not happen or came early are skipped. */
export function phasesBetween(milestones: [string, number | null][]): Record<string, number> {
  const phases: Record<string, number> = {};
  let at = 0;
  for (const [label, ms] of milestones) {
    if (ms === null || ms <= at) continue;
    phases[label] = ms - at;
    at = ms;
  }
  return phases;
}

/**
 * An up's phases (docs/performance.md says what each covers). The SDK registers the stack resource
 * before it loads the program: that event splits "language host + SDK" from "program".
 */
export function upPhases(events: EngineStep[], endMs: number): Record<string, number> {
  const steps = events.filter((e) => e.urn !== undefined && e.op !== "refresh");
  const checks = steps.filter(check);
  return phasesBetween([
    ["CLI start", events.find((e) => e.kind === "prelude")?.ms ?? null],
    ["refresh", lastDone(events.filter((e) => e.op === "refresh" && custom(e)))],
    ["language host + SDK", firstPre(steps)],
    ["program", firstPre(steps.filter((e) => e.type !== STACK))],
    ["providers", firstPre(steps.filter((e) => custom(e) && !provider(e)))],
    ["resources", checks.length ? firstPre(checks) : lastDone(steps.filter(custom))],
    ["checks", lastDone(checks)],
    ["finish", endMs],
  ]);
}

/** A destroy: the CLI's start, the providers, the deletes, the finish. */
export function destroyPhases(events: EngineStep[], endMs: number): Record<string, number> {
  const deletes = events.filter((e) => custom(e) && !provider(e));
  return phasesBetween([
    ["CLI start", events.find((e) => e.kind === "prelude")?.ms ?? null],
    ["providers", firstPre(deletes)],
    ["deletes", lastDone(deletes)],
    ["finish", endMs],
  ]);
}

/** Each custom resource's and provider's step, from its start to its end, in order of start. */
export function resourceSpans(
  events: EngineStep[],
): { name: string; startMs: number; endMs: number | null }[] {
  const spans = new Map<string, { name: string; startMs: number; endMs: number | null }>();
  for (const e of events.filter((x) => custom(x) && x.op !== "refresh")) {
    const span = spans.get(e.urn!);
    if (e.kind === "pre" && !span) spans.set(e.urn!, { name: name(e.urn), startMs: e.ms, endMs: null });
    if (e.kind === "done" && span) span.endMs = e.ms;
  }
  return [...spans.values()];
}
