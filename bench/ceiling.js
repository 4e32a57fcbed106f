// @ts-check
// The throughput ceiling: a plain Node.js HTTP server answering a fixed text body, run in the app's
// base image behind the same published port, so that app/ceiling isolates what the app itself costs
// (Redis round trip, its handler) from Node's HTTP stack, Docker's port publishing and the machine.
// Body and headers are those of the app's page (after one request from the docker gateway).
const http = require("node:http");
const os = require("node:os");

const BODY =
  "This page was generated after talking to redis.\n\n" +
  "Application Build: 1\n\n" +
  "Total requests: 1\n\n" +
  "IP count: \n" +
  "    ::ffff:172.17.0.1: 1\n";
const PORT = Number(process.env.PORT || 3000);
const HEADERS = {
  "Content-Type": "text/plain; charset=utf-8",
  "Content-Length": Buffer.byteLength(BODY),
  "Cache-Control": "no-store",
  "X-Served-By": os.hostname(),
};

const server = http.createServer((_req, res) => {
  res.writeHead(200, HEADERS);
  res.end(BODY);
});
server.listen(PORT, () => console.log(`ceiling server listening on port ${PORT}`));
process.on("SIGTERM", () => process.exit(0));
