// @ts-check
// Jest setup for the mutation run only. What a test file reaches while its modules load (module-level
// constants: the shell scripts in components/AppImage.ts and StackNetwork.ts, say) Stryker counts as
// "static" coverage, and with ignoreStatic it then runs such a mutant only against the tests that
// reach it again inside a test, which need not look at it at all, or skips it (Ignored). But the
// mutant does take effect in every test of the file: Stryker's Jest runner sets the active mutant
// before Jest starts, Jest loads each test file's modules afresh, and the instrumented code reads the
// active mutant as it loads. So what the file reached while loading is credited to each of its
// tests, and the mutant runs against them.
//
// Only module loading counts, not the file's hooks: a beforeAll that loads the whole program
// (program.test.ts) reaches every component, and crediting that to each of its tests made every
// mutant in components run the program-level tests (hours instead of minutes). What a hook reaches
// stays static, as under Stryker's defaults.
const { afterAll, afterEach, beforeAll } = require("@jest/globals");

/**
 * @typedef {{ static: Record<string, number>, perTest: Record<string, Record<string, number>> }} MutantCoverage
 * @typedef {{ currentTestId?: string, mutantCoverage?: MutantCoverage }} StrykerState
 */

const stryker = () => /** @type {{ __stryker__?: StrykerState }} */ (globalThis).__stryker__;

/** Static coverage as this file starts, before its modules load. */
const before = { ...stryker()?.mutantCoverage?.static };
/** The mutants the file's modules reached as they loaded, with how often. */
const loaded = /** @type {Map<string, number>} */ (new Map());
/** This file's tests, by Stryker's id. */
const tests = /** @type {string[]} */ ([]);

// The first hook of the file (setup files register theirs first): its modules have loaded by now.
beforeAll(() => {
  const coverage = stryker()?.mutantCoverage;
  if (!coverage) return;
  for (const [mutant, count] of Object.entries(coverage.static)) {
    const added = count - (before[mutant] ?? 0);
    if (added > 0) loaded.set(mutant, added);
  }
});

afterEach(() => {
  const id = stryker()?.currentTestId;
  if (id !== undefined) tests.push(id);
});

afterAll(() => {
  const coverage = stryker()?.mutantCoverage;
  if (!coverage || tests.length === 0) return;
  for (const [mutant, count] of loaded) {
    for (const test of tests) {
      const counts = (coverage.perTest[test] ??= {});
      counts[mutant] = (counts[mutant] ?? 0) + 1;
    }
    // Static no more, unless something outside this file's loading reached it too (a hook here, or
    // another file's hooks: those stay static).
    const rest = (coverage.static[mutant] ?? 0) - count;
    if (rest > 0) coverage.static[mutant] = rest;
    else delete coverage.static[mutant];
  }
});
