// A Pulumi operation's engine events (from its --event-log), stamped with the time the bench saw
// them, as resource spans and as consecutive phases (CLI start, refresh, program start, providers,
// resources, checks, finish) for the profile and the stacked timeline. Pure.

/** One engine event as the bench records it: milliseconds since the operation was started. */
export interface TimelineEvent {
  ms: number;
  kind: "prelude" | "pre" | "outputs" | "failed" | "summary";
  urn?: string;
  type?: string;
  op?: string;
}

export interface ResourceSpan {
  /** The resource's name (the last part of its URN). */
  name: string;
  type: string;
  /** create, same, delete, refresh, ... */
  op: string;
  startMs: number;
  /** null when the resource never finished (failed, or the stream ended). */
  endMs: number | null;
}

export interface TimelineSummary {
  /** The engine's first event (the CLI has started, read the state and loaded the project). */
  preludeMs: number | null;
  /** The stack resource's registration: the language host and the SDK are up (before the program loads). */
  firstResourceMs: number | null;
  /** The program's own first resource (a component or custom resource): the program is loaded and running. */
  programMs: number | null;
  /** The last resource finished. */
  lastResourceMs: number | null;
  /** The engine's summary (the update is over; the CLI still has to exit). */
  summaryMs: number | null;
  /** The operation returned to the bench. */
  endMs: number;
  /** Custom resources and providers (not the stack or components, which span their children). */
  spans: ResourceSpan[];
}

function urnName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}

/** Component types are this project's `container-links:<module>:<Name>`; the stack is pulumi:pulumi:Stack. */
function isWrapper(type: string): boolean {
  return type === "pulumi:pulumi:Stack" || type.startsWith("container-links:");
}

/** A step of a refresh (`up` with refresh: always reads every resource back first). */
export function isRefresh(span: ResourceSpan): boolean {
  return span.op === "refresh";
}

export function isProvider(span: ResourceSpan): boolean {
  return span.type.startsWith("pulumi:providers:");
}

/** The tutorial's checks: the command resources of the Verification component (`verify-<check>`). */
export function isCheck(span: ResourceSpan): boolean {
  return span.type === "command:local:Command" && span.name.startsWith("verify-");
}

export function summarizeTimeline(events: readonly TimelineEvent[], endMs: number): TimelineSummary {
  const spans = new Map<string, ResourceSpan>();
  let firstResourceMs: number | null = null;
  let programMs: number | null = null;
  let lastResourceMs: number | null = null;
  for (const e of events) {
    if (e.urn === undefined || e.type === undefined) continue;
    // A refresh's steps come before the program runs: the program's first registration is the
    // first step of another kind.
    if (e.kind === "pre" && e.op !== "refresh") {
      firstResourceMs ??= e.ms;
      if (e.type !== "pulumi:pulumi:Stack") programMs ??= e.ms;
    }
    if (isWrapper(e.type)) continue;
    const key = `${e.op === "refresh" ? "refresh" : "step"} ${e.urn}`;
    if (e.kind === "pre" && !spans.has(key)) {
      spans.set(key, { name: urnName(e.urn), type: e.type, op: e.op ?? "", startMs: e.ms, endMs: null });
    } else if (e.kind === "outputs" || e.kind === "failed") {
      const span = spans.get(key);
      if (span) span.endMs = e.ms;
      lastResourceMs = Math.max(lastResourceMs ?? 0, e.ms);
    }
  }
  const first = (kind: TimelineEvent["kind"]) => events.find((e) => e.kind === kind)?.ms ?? null;
  return {
    preludeMs: first("prelude"),
    firstResourceMs,
    programMs,
    lastResourceMs,
    summaryMs: first("summary"),
    endMs,
    spans: [...spans.values()].sort((a, b) => a.startMs - b.startMs),
  };
}

/** A stretch of an operation, laid end to end with the others. */
export interface Phase {
  label: string;
  ms: number;
}

/**
 * Consecutive phases between milestones that happened: each runs from the previous milestone seen
 * to its own; milestones that did not happen (null), or not after the previous one, are skipped.
 */
export function phasesBetween(milestones: readonly (readonly [string, number | null])[]): Phase[] {
  const phases: Phase[] = [];
  let at = 0;
  for (const [label, ms] of milestones) {
    if (ms === null || ms <= at) continue;
    phases.push({ label, ms: ms - at });
    at = ms;
  }
  return phases;
}

const startOf = (spans: ResourceSpan[]) => (spans.length ? Math.min(...spans.map((s) => s.startMs)) : null);
const endOf = (spans: ResourceSpan[]) =>
  spans.length ? Math.max(...spans.map((s) => s.endMs ?? s.startMs)) : null;

/**
 * Where the time of an `up` (or `preview`) went: the CLI's start (state, secrets), the refresh, the
 * language host and SDK (up to the stack resource, which the SDK registers before it loads the
 * program), the program (TypeScript compiled and run up to its first resource), the providers
 * (plugins started and configured) before the first resource step, the resources, the checks, and
 * the finish (state written, CLI exit).
 */
export function upPhases(t: TimelineSummary): Phase[] {
  const refresh = t.spans.filter(isRefresh);
  const steps = t.spans.filter((s) => !isRefresh(s));
  const resources = steps.filter((s) => !isProvider(s));
  const checks = steps.filter(isCheck);
  const lastStep = endOf(steps);
  return phasesBetween([
    ["CLI start", t.preludeMs],
    ["refresh", endOf(refresh)],
    ["language host + SDK", t.firstResourceMs],
    ["program", t.programMs],
    ["providers", startOf(resources)],
    ["resources", checks.length ? startOf(checks) : lastStep],
    ["checks", endOf(checks)],
    ["finish", t.endMs],
  ]);
}

/** Where the time of a `destroy` went: CLI start, plugins started, deletes, finish. */
export function destroyPhases(t: TimelineSummary): Phase[] {
  const deletes = t.spans.filter((s) => !isProvider(s));
  return phasesBetween([
    ["CLI start", t.preludeMs],
    ["providers", startOf(deletes)],
    ["deletes", endOf(deletes)],
    ["finish", t.endMs],
  ]);
}
