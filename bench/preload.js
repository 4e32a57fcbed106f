// @ts-check
// Loaded into every node process of the bench's profiled stack cycle (NODE_OPTIONS=--require this
// file, with BENCH_PROFILE_DIR set): writes <dir>/<pid>.json with when the process started, how long
// the loads that matter took (TypeScript, the Pulumi SDKs, the program itself) and when it exited.
// The timed repetitions never load it.
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
const { performance } = require("node:perf_hooks");

const dir = process.env.BENCH_PROFILE_DIR;
const WATCHED = /^(typescript|@pulumi\/pulumi|@pulumi\/docker|@pulumi\/command)$/;

if (dir) {
  const epoch = () => performance.timeOrigin + performance.now();
  const cwd = process.cwd();
  /** @type {{ module: string, startedAt: number, ms: number }[]} */
  const loads = [];
  const seen = new Set();
  /** @type {any} */
  const loader = Module;
  const load = loader._load;
  loader._load = function (/** @type {string} */ request, /** @type {unknown[]} */ ...rest) {
    const program = path.isAbsolute(request) && request.startsWith(cwd) && !request.includes("node_modules");
    const name = WATCHED.test(request) ? request : program ? "the program" : undefined;
    if (name === undefined || seen.has(name)) return load.call(this, request, ...rest);
    seen.add(name);
    const startedAt = epoch();
    try {
      return load.call(this, request, ...rest);
    } finally {
      loads.push({ module: name, startedAt, ms: epoch() - startedAt });
    }
  };
  let check;
  try {
    check = JSON.parse(process.env.CHECK_SPEC ?? "null")?.check;
  } catch {
    check = undefined;
  }
  const record = {
    pid: process.pid,
    argv: process.argv.slice(1),
    check,
    startedAt: performance.timeOrigin,
    preloadAt: epoch(),
    loads,
    exitedAt: 0,
  };
  process.on("exit", () => {
    record.exitedAt = epoch();
    fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(record));
  });
}
