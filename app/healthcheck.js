// @ts-check
// The image's HEALTHCHECK: asks the app's /healthz (200 only while Redis answers PING) and exits 0
// when healthy, 1 otherwise. Node itself does the asking because the image has no curl.
const http = require("node:http");

const HEALTHCHECK_TIMEOUT_MS = 1000;

/**
 * @param {{ port: number, host?: string, timeoutMs?: number }} options
 * @returns {Promise<{ healthy: boolean, detail: string }>} never rejects
 */
function checkHealth({ port, host = "127.0.0.1", timeoutMs = HEALTHCHECK_TIMEOUT_MS }) {
  return new Promise((resolve) => {
    /** @param {boolean} healthy @param {string} detail */
    const finish = (healthy, detail) => {
      clearTimeout(timer);
      request.destroy();
      resolve({ healthy, detail });
    };
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    const request = http.get({ host, port, path: "/healthz" }, (res) => {
      res.resume();
      finish(res.statusCode === 200, `HTTP ${res.statusCode}`);
    });
    request.on("error", (err) => finish(false, err.message));
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT) || 3000;
  checkHealth({ port }).then(({ healthy, detail }) => {
    console.log(`${healthy ? "healthy" : "unhealthy"}: ${detail}`);
    process.exit(healthy ? 0 : 1);
  });
}

module.exports = { HEALTHCHECK_TIMEOUT_MS, checkHealth };
