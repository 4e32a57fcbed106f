// Which Docker objects and stacks an earlier, interrupted test run left behind. The rules are pure (the
// process check is passed in); tests/integration/sweep.ts does the listing and removing.
//
// Every integration test names its stack, and every object under it, `it-<purpose>-<pid>-<hex>`
// (harness.ts uniqueName). A run that was killed never reached its afterAll, so its objects stay and
// hold their published ports and subnets: the next run's `pulumi up` of the same test then fails.
// A name is stale when the process that made it is gone.
import * as fs from "fs";

/** `it-<purpose>-<pid>-<6 hex>`, then the end of the name or a separator. */
const RUN_NAME = /^\/?(it-[a-z0-9-]+?-(\d+)-[0-9a-f]{6})(?=$|[-_.:/])/;

/** The run prefix and the pid in a name made by uniqueName(), or undefined for any other name. */
export function runOf(name: string): { prefix: string; pid: number } | undefined {
  const m = RUN_NAME.exec(name);
  if (!m) return undefined;
  const pid = Number(m[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? { prefix: m[1], pid } : undefined;
}

/**
 * The names among `names` that belong to a test run whose process is no longer alive. Names that
 * are not test names (the dev stack, a user's containers) are never returned; neither are names of
 * a run still going (a concurrent test run on the same engine).
 */
export function staleNames(names: readonly string[], isAlive: (pid: number) => boolean): string[] {
  const verdict = new Map<number, boolean>();
  return names.filter((name) => {
    const run = runOf(name);
    if (!run) return false;
    if (!verdict.has(run.pid)) verdict.set(run.pid, isAlive(run.pid));
    return !verdict.get(run.pid);
  });
}

/**
 * Whether a Node.js process with this pid runs on this machine: jest's workers make the names, and
 * after a reboot the same pid may belong to anything else, which must not keep a stale name alive.
 */
export function nodeProcessAlive(pid: number, readCmdline = defaultReadCmdline): boolean {
  const cmdline = readCmdline(pid);
  if (cmdline === undefined) return false;
  const argv0 = cmdline.split("\0")[0] ?? "";
  return /(^|\/)node(js)?(\d+)?$/.test(argv0) || /jest/.test(cmdline);
}

function defaultReadCmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return undefined;
  }
}
