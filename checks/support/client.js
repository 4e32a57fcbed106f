// @ts-check
// The checks' `curl`: one GET on a new connection, bounded, that never rejects.
const http = require("node:http");
const https = require("node:https");
const { oneLine } = require("./parse");

/**
 * @typedef {object} HttpAnswer
 * @property {number | null} status null when there was no answer
 * @property {string} body
 * @property {string | null} servedBy the X-Served-By header
 * @property {string} [error] why there was no answer
 */

const MAX_BODY = 1024 * 1024;

/**
 * One GET with no connection reuse, answered (body included) within `timeoutMs`.
 * @param {URL} url
 * @param {number} timeoutMs
 * @returns {Promise<HttpAnswer>}
 */
function get(url, timeoutMs) {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    /** @param {HttpAnswer} answer */
    const finish = (answer) => {
      clearTimeout(timer);
      request.destroy();
      resolve(answer);
    };
    /** @param {string} error */
    const failed = (error) => finish({ status: null, body: "", servedBy: null, error });
    const timer = setTimeout(() => failed(`no answer within ${timeoutMs} ms`), timeoutMs);
    const request = client.get(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on("end", () => {
        const header = res.headers["x-served-by"];
        finish({
          status: res.statusCode ?? null,
          body,
          servedBy: (Array.isArray(header) ? header.join(", ") : header) ?? null,
        });
      });
      res.on("error", (err) => failed(err.message));
    });
    request.on("error", (err) => {
      // Connection failures to a name with several addresses come as an AggregateError with no message.
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      failed(err.message || code || "error");
    });
  });
}

/**
 * An answer in a few words: `HTTP 503 "redis is not connected"`, or why there was none.
 * @param {HttpAnswer} answer
 */
function describeAnswer(answer) {
  if (answer.status === null) return answer.error ?? "no answer";
  const firstLine = oneLine(answer.body.split("\n", 1)[0], 80);
  return `HTTP ${answer.status}${firstLine ? ` "${firstLine}"` : ""}`;
}

module.exports = { describeAnswer, get };
