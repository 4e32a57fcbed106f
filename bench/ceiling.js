// @ts-check
// The throughput ceiling: a plain Node.js server answering the app's page (its body and headers) as
// fixed text, in the app's base image behind the same published port: app/ceiling then isolates what
// the app itself costs (its handler, the Redis round trip) from Node's HTTP stack, Docker and the machine.
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
