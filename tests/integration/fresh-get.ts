// What the swarm tests ask the app through its published port: one GET on a new connection each
// time (as a browser's first visit), so the routing mesh or the gateway may pick any replica.
import * as http from "http";

/** Each GET gets this long to be answered. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** An answer: its status, the replica that served it (X-Served-By) and the count it showed. */
export interface Answer {
  status: number | null;
  servedBy: string | null;
  total: number | null;
  error?: string;
}

/** One GET on a new connection; never rejects: a failed request is an answer without a status. */
export function freshGet(url: string): Promise<Answer> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => {
        const match = /Total requests: (\d+)/.exec(body);
        resolve({
          status: res.statusCode ?? null,
          servedBy: (res.headers["x-served-by"] as string | undefined) ?? null,
          total: match ? Number(match[1]) : null,
        });
      });
      res.on("error", (err) => resolve({ status: null, servedBy: null, total: null, error: err.message }));
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    request.on("error", (err) => resolve({ status: null, servedBy: null, total: null, error: err.message }));
  });
}
