// @ts-check
// The mutation score of a Stryker JSON report (mutation-testing-report-schema): detected mutants
// (Killed, Timeout) over valid ones (detected, Survived, NoCoverage). Ignored mutants and those
// that did not compile or run (CompileError, RuntimeError) count for neither.

/**
 * @typedef {object} Tally
 * @property {number} killed
 * @property {number} timeout
 * @property {number} survived
 * @property {number} noCoverage
 * @property {number} ignored
 * @property {number} errors CompileError and RuntimeError
 * @property {number | undefined} score percent; undefined when no mutant is valid
 */

/** @type {Record<string, keyof Omit<Tally, "score">>} */
const COLUMN = {
  Killed: "killed",
  Timeout: "timeout",
  Survived: "survived",
  NoCoverage: "noCoverage",
  Ignored: "ignored",
  CompileError: "errors",
  RuntimeError: "errors",
};

/**
 * @param {{ status: string }[]} mutants
 * @returns {Tally}
 */
function tally(mutants) {
  const counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const { status } of mutants) {
    const column = COLUMN[status];
    if (column === undefined) throw new Error(`unknown mutant status ${status}`);
    counts[column]++;
  }
  const detected = counts.killed + counts.timeout;
  const valid = detected + counts.survived + counts.noCoverage;
  return { ...counts, score: valid === 0 ? undefined : (100 * detected) / valid };
}

/**
 * The whole report's tally, and each file's.
 * @param {{ files: Record<string, { mutants: { status: string }[] }> }} report
 */
function reportScores(report) {
  const files = Object.entries(report.files).map(([file, { mutants }]) => ({ file, ...tally(mutants) }));
  const all = tally(Object.values(report.files).flatMap(({ mutants }) => mutants));
  return { all, files };
}

module.exports = { reportScores, tally };
