// @ts-check
// The checks' docker CLI: argument arrays (never a shell), the inherited DOCKER_HOST, every call
// bounded by the check's deadline.
const { execFile } = require("node:child_process");
const { oneLine } = require("./parse");
const { containerReadiness } = require("./inspect");

/** @typedef {import("./deadline").Deadline} Deadline */

/** One docker CLI call may take this long at most (less when the deadline is nearer). */
const CALL_MAX_MS = 15000;

const CALL_MIN_MS = 2000;

const LOG_LINES = 20;

/**
 * @typedef {object} DockerOutput
 * @property {number | null} code exit code (null when killed)
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * Runs the docker CLI. Resolves for any exit code; rejects only when the CLI cannot be started.
 * @param {string[]} args
 * @param {number} timeoutMs
 * @returns {Promise<DockerOutput>}
 */
function docker(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(
      "docker",
      args,
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof error.code === "string") {
          reject(new Error(`cannot run the docker CLI: ${error.message}`));
          return;
        }
        const timedOut = Boolean(error?.killed);
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : null) : 0,
          stdout,
          stderr: timedOut ? `${stderr}docker ${args[0]} took longer than ${timeoutMs} ms` : stderr,
        });
      },
    );
  });
}

/**
 * The time one docker call may take: what is left of the deadline, within sensible limits.
 * @param {Deadline} deadline
 */
function callTimeout(deadline) {
  return Math.min(CALL_MAX_MS, Math.max(CALL_MIN_MS, deadline.remaining()));
}

/**
 * What a failed docker call said, on one line.
 * @param {DockerOutput} out
 */
function failureText(out) {
  return oneLine(out.stderr || out.stdout) || `exit code ${out.code}`;
}

/**
 * Lines of output, trimmed, without empty ones.
 * @param {string} text
 */
function outputLines(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * The first 12 characters of an ID, as docker shows it.
 * @param {string} id
 */
function shortId(id) {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/**
 * The container's last log lines (stdout and stderr), indented, for a failure message.
 * @param {string} container
 * @returns {Promise<string>}
 */
async function recentLogs(container) {
  try {
    const out = await docker(["logs", "--tail", String(LOG_LINES), container], 10000);
    if (out.code !== 0) return `(could not read the logs of container ${container}: ${failureText(out)})`;
    const lines = `${out.stdout}${out.stderr}`.split("\n").filter((line) => line !== "");
    if (lines.length === 0) return `container ${container} has logged nothing`;
    return [`last ${LOG_LINES} log lines of container ${container}:`, ...lines.map((l) => `  | ${l}`)].join(
      "\n",
    );
  } catch (err) {
    return `(could not read the logs of container ${container}: ${err instanceof Error ? err.message : err})`;
  }
}

/**
 * How a container is, in a few words ("running, health: healthy"), or why that is unknown.
 * @param {string} container
 * @returns {Promise<{ ready: boolean, describe: string }>}
 */
async function containerState(container) {
  const out = await docker(
    ["inspect", "--type", "container", "--format", "{{json .State}}", container],
    CALL_MIN_MS,
  );
  if (out.code !== 0) return { ready: false, describe: failureText(out) };
  const state = containerReadiness(out.stdout);
  return { ready: state.ready, describe: state.describe };
}

module.exports = { callTimeout, containerState, docker, failureText, outputLines, recentLogs, shortId };
