// @ts-check
// npm run mutate [-- <folder>...]: Stryker over each folder in turn, against the unit tests that
// target it (scripts/mutate/folders.js), then the score of each folder. Reports (HTML and JSON)
// go to reports/mutation/<folder>/. Not part of CI: a run takes minutes per folder.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { FOLDERS } = require("./folders");
const { reportScores } = require("./score");

const ROOT = path.join(__dirname, "..", "..");
const STRYKER = path.join(ROOT, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");
const CONFIG = path.join(__dirname, "stryker.config.js");
const NAMES = FOLDERS.map(({ name }) => name);
const USAGE = `usage: npm run mutate [-- <folder>...]   folders: ${NAMES.join(", ")} (default: all)`;

const started = Date.now();

/** @param {number} ms */
function duration(ms) {
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
}

/** @param {string} line */
function progress(line) {
  console.log(`[mutate +${duration(Date.now() - started)}] ${line}`);
}

/**
 * Stryker for one folder; resolves with its exit code.
 * @param {string} name
 * @returns {Promise<number | null>}
 */
function stryker(name) {
  const child = spawn(process.execPath, [STRYKER, "run", CONFIG], {
    cwd: ROOT,
    env: { ...process.env, MUTATE_FOLDER: name },
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
}

/** @param {number | undefined} score */
const percent = (score) => (score === undefined ? "n/a" : `${score.toFixed(1)}%`);

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !NAMES.includes(arg));
  if (unknown.length > 0) {
    console.error(`unknown folder ${unknown.join(", ")}\n${USAGE}`);
    return 2;
  }
  const names = args.length > 0 ? NAMES.filter((name) => args.includes(name)) : NAMES;
  const rows = [];
  let failed = false;
  for (const [index, name] of names.entries()) {
    progress(`${index + 1}/${names.length} ${name}: Stryker starts`);
    const folderStarted = Date.now();
    const code = await stryker(name);
    const took = duration(Date.now() - folderStarted);
    if (code !== 0) {
      progress(`${name}: Stryker failed (exit ${code}) after ${took}`);
      failed = true;
      continue;
    }
    const report = path.join(ROOT, "reports", "mutation", name, "mutation.json");
    const { all } = reportScores(JSON.parse(fs.readFileSync(report, "utf8")));
    progress(
      `${name}: ${percent(all.score)} in ${took}; report ${path.relative(ROOT, path.dirname(report))}/`,
    );
    rows.push([
      name,
      percent(all.score),
      all.killed,
      all.timeout,
      all.survived,
      all.noCoverage,
      all.ignored,
      all.errors,
      took,
    ]);
  }
  const header = [
    "folder",
    "score",
    "killed",
    "timeout",
    "survived",
    "no cover",
    "ignored",
    "errors",
    "time",
  ];
  const table = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column].length)));
  console.log(`\nmutation score (killed + timeout) / (killed + timeout + survived + no cover):`);
  for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join("  "));
  progress(failed ? "done, with failures" : "done");
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
