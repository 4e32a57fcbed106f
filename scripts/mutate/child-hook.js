// @ts-check
// Loaded with `node --require` into the children that tests start during the mutation run's dry
// run (see child-coverage.js). Stryker's instrumented code counts each mutant it reaches in
// `__stryker__.mutantCoverage.static`; that object is replaced here by one that also appends the
// mutant's id to the log the first time it is reached in the current epoch. Each id is written
// at once, so a child killed with SIGKILL has logged everything it ran. Nothing here may throw
// into the code under test: once the test file is done and its logs are gone, logging stops.
const fs = require("node:fs");

const logFile = process.env.MUTATE_COVERAGE_LOG;
const epochFile = process.env.MUTATE_COVERAGE_EPOCH;

/** @param {string} file */
function openLog(file) {
  try {
    return fs.openSync(file, "a");
  } catch {
    return undefined;
  }
}

const log = logFile ? openLog(logFile) : undefined;
if (log !== undefined && epochFile) {
  let epoch = "";
  let epochChecked = false;
  let logged = new Set();

  // Read the epoch at most once per task: a test ends between tasks, never inside one.
  const startNewEpoch = () => {
    if (epochChecked) return;
    epochChecked = true;
    Promise.resolve().then(() => (epochChecked = false));
    let now = epoch;
    try {
      now = fs.readFileSync(epochFile, "utf8");
    } catch {
      // The test file has finished: no new epoch.
    }
    if (now !== epoch) {
      epoch = now;
      logged = new Set();
    }
  };

  const counts = new Proxy(/** @type {Record<string, number>} */ ({}), {
    set(target, id, count) {
      if (typeof id === "string") {
        startNewEpoch();
        if (!logged.has(id)) {
          logged.add(id);
          try {
            fs.writeSync(log, `${id}\n`);
          } catch {
            // As above: nobody reads this log any more.
          }
        }
        target[id] = count;
      }
      return true;
    },
  });
  const global = /** @type {{ __stryker__?: Record<string, unknown> }} */ (globalThis);
  global.__stryker__ ??= {};
  global.__stryker__.mutantCoverage = { static: counts, perTest: {} };
}
