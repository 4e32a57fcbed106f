// A Pulumi program as a path, run with the pinned CLI as a user runs it: `pulumi up --yes
// --skip-preview` from an empty stack (what `npm run up` runs), a second `up` with nothing to change
// (with the refresh Pulumi.yaml asks for) and `destroy` without a refresh (what `npm run down`
// runs). Each command's engine events are read from its --event-log as they appear and stamped with
// the time, for the phases. The Automation API (harness/) only creates and removes the stack.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { leftovers, openStack, pulumiBin, removeStack, uniqueName } from "../harness";
import { destroyPhases, EngineStep, resourceSpans, upPhases } from "./phases";
import { Images, Path } from "./results";
import { exec, firstOk, now } from "./setup";

export interface Program {
  id: string;
  label: string;
  /** The folder with the program's Pulumi.yaml. */
  workDir: string;
  /** Everything the stack makes is named with this prefix, so what a destroy leaves is found. */
  prefix: string;
  /** The host port of the app, whose first 200 is timed; none: the program runs no app. */
  port?: number;
  /** Its checks are resources (a failed one fails the up), so the up's return means verified. */
  verifies: boolean;
  config(images: Images): Record<string, string>;
  /** Untimed, after destroy: removes what destroy keeps on purpose. */
  afterDestroy?(): Promise<void>;
}

function engineStep(e: EngineEvent, ms: number): EngineStep | undefined {
  if (e.preludeEvent) return { ms, kind: "prelude" };
  const m = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
  return m && { ms, kind: e.resourcePreEvent ? "pre" : "done", urn: m.urn, type: m.type, op: m.op };
}

/** Runs the pinned CLI on the stack, collecting its engine events as they appear. */
async function cli(args: string[], stack: Stack): Promise<{ ms: number; events: EngineStep[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-events-"));
  const log = path.join(dir, "events.jsonl");
  const events: EngineStep[] = [];
  let [read, partial] = [0, ""];
  const start = now();
  const collect = () => {
    if (!fs.existsSync(log)) return;
    const buffer = fs.readFileSync(log);
    const lines = (partial + buffer.subarray(read).toString("utf8")).split("\n");
    [read, partial] = [buffer.length, lines.pop() ?? ""];
    for (const line of lines.filter((l) => l.trim() !== "")) {
      const step = engineStep(JSON.parse(line) as EngineEvent, now() - start);
      if (step) events.push(step);
    }
  };
  const poller = setInterval(collect, 20);
  try {
    const where = ["--cwd", stack.workspace.workDir, "--stack", stack.name, "--non-interactive"];
    // --event-log is one of the CLI's debug flags (the Automation API enables them the same way).
    await exec(pulumiBin(), [...args, ...where, "--event-log", log], 300_000, {
      PULUMI_DEBUG_COMMANDS: "true",
    });
    const ms = now() - start;
    collect();
    return { ms, events };
  } finally {
    clearInterval(poller);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function pulumiPath(program: Program): Path {
  let stack: Stack | undefined;
  return {
    id: program.id,
    label: program.label,
    async open(images) {
      const config = program.config(images);
      stack = await openStack({ workDir: program.workDir, stackName: uniqueName("bench"), config });
      return `stack ${stack.name}`;
    },
    async run() {
      if (!stack) throw new Error(`${program.id}: run before open`);
      const ready = program.port === undefined ? undefined : firstOk(program.port).then(now);
      ready?.catch(() => undefined); // awaited after the up; a failed up must not leave it unhandled
      const start = now();
      const up = await cli(["up", "--yes", "--skip-preview"], stack);
      const firstOkMs = ready ? (await ready) - start : null;
      const noop = await cli(["up", "--yes", "--skip-preview"], stack);
      // As `npm run down` runs it (scripts/down.sh): no refresh before deleting.
      const down = await cli(["destroy", "--yes", "--skip-preview", "--refresh=false"], stack);
      await program.afterDestroy?.();
      const left = await leftovers(program.prefix);
      if (left.length > 0) throw new Error(`${program.id}: destroy left ${left.join(", ")}`);
      const phases = (op: string, of: Record<string, number>) =>
        Object.entries(of).map(([k, ms]) => [`${op}: ${k}`, ms]);
      return {
        upMs: up.ms,
        firstOkMs,
        verifiedMs: program.verifies ? up.ms : null,
        downMs: down.ms,
        cycleMs: up.ms + down.ms,
        steps: Object.fromEntries([
          ...phases("up", upPhases(up.events, up.ms)),
          ...phases("destroy", destroyPhases(down.events, down.ms)),
        ]),
        noopUpMs: noop.ms,
        noopSteps: upPhases(noop.events, noop.ms),
        spans: resourceSpans(up.events),
      };
    },
    async close() {
      if (stack) await removeStack(stack);
    },
  };
}
