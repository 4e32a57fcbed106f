// @ts-check
// Jest setup for the mutation run only. Several tests run the code under test as a child process
// (`node checks/run.js`, `node app/server.js`, `node app/healthcheck.js`), with an env of their
// own. Stryker sees neither side of that child: the active mutant is an environment variable the
// test's env leaves out, and what the child executes never reaches Stryker's per-test coverage.
// Without this file every mutant reached only in a child would be "no coverage", or survive.
//
// So `spawn` of `node` passes the active mutant on and, in the dry run, loads child-hook.js in the
// child, which appends each mutant the child reaches to a log. Before each test, what the logs
// hold counts as static coverage (beforeAll, between tests, like module loading in-process); after
// each test, it is credited to that test. A new epoch per test lets a long-lived child (one
// server for a whole file) report a mutant again for every test that reaches it.
const { afterAll, afterEach, beforeEach } = require("@jest/globals");
const childProcess = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";
const HOOK = path.join(__dirname, "child-hook.js");

/**
 * Stryker's instrumenter state, shared by its jest environment as `globalThis.__stryker__`.
 * @typedef {{ static: Record<string, number>, perTest: Record<string, Record<string, number>> }} MutantCoverage
 * @typedef {{ currentTestId?: string, mutantCoverage?: MutantCoverage }} StrykerState
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mutate-children-"));
const epochFile = path.join(dir, "epoch");
let epoch = 0;
fs.writeFileSync(epochFile, String(epoch));

/** Each child's log of the mutants it reached, and how far it has been read. */
const logs = /** @type {{ file: string, read: number }[]} */ ([]);

const spawn = childProcess.spawn;

/**
 * `spawn` as the tests call it: `(command, args, options)` or `(command, options)`.
 * @param {string} command
 * @param {...unknown} rest
 */
function spawnCarryingMutant(command, ...rest) {
  if (command !== process.execPath) return Reflect.apply(spawn, childProcess, [command, ...rest]);
  const args = /** @type {string[]} */ (Array.isArray(rest[0]) ? rest[0] : []);
  const options = /** @type {childProcess.SpawnOptions} */ (
    (Array.isArray(rest[0]) ? rest[1] : rest[0]) ?? {}
  );
  const env = { ...(options.env ?? process.env) };
  const active = process.env[ACTIVE_MUTANT];
  if (active !== undefined) {
    env[ACTIVE_MUTANT] = active;
  } else {
    const file = path.join(dir, `child-${logs.length + 1}.log`);
    fs.writeFileSync(file, "");
    logs.push({ file, read: 0 });
    env.MUTATE_COVERAGE_LOG = file;
    env.MUTATE_COVERAGE_EPOCH = epochFile;
    env.NODE_OPTIONS = [env.NODE_OPTIONS, `--require "${HOOK}"`].filter(Boolean).join(" ");
  }
  return spawn(command, args, { ...options, env });
}
childProcess.spawn = /** @type {typeof childProcess.spawn} */ (spawnCarryingMutant);

/** The mutant ids the children logged since the last call (whole lines only). */
function newlyLogged() {
  const ids = new Set();
  for (const log of logs) {
    const text = fs.readFileSync(log.file, "latin1").slice(log.read);
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    log.read += complete.length;
    for (const id of complete.split("\n")) if (id) ids.add(id);
  }
  return ids;
}

/**
 * Adds `ids` to the coverage Stryker reads after the dry run.
 * @param {Set<string>} ids
 * @param {string | undefined} testId undefined: static (outside any test)
 */
function credit(ids, testId) {
  const stryker = /** @type {{ __stryker__?: StrykerState }} */ (globalThis).__stryker__;
  if (!stryker || ids.size === 0) return;
  const coverage = (stryker.mutantCoverage ??= { static: {}, perTest: {} });
  const counts = testId === undefined ? coverage.static : (coverage.perTest[testId] ??= {});
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
}

beforeEach(() => {
  credit(newlyLogged(), undefined);
  fs.writeFileSync(epochFile, String(++epoch));
});

afterEach(() => {
  const stryker = /** @type {{ __stryker__?: StrykerState }} */ (globalThis).__stryker__;
  credit(newlyLogged(), stryker?.currentTestId);
});

afterAll(() => {
  credit(newlyLogged(), undefined);
  childProcess.spawn = spawn;
  fs.rmSync(dir, { recursive: true, force: true });
});
