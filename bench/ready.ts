// "Up to the first 200", the same for every path: the app's health endpoint answers 200 through the
// published port. /healthz answers only once Redis answers PING, and is not counted, so polling it
// while the stack's own http check runs leaves the check's counter alone.
import { httpGet, waitFor } from "../harness";

/** How often the health endpoint is asked. */
const POLL_MS = 50;

/** Resolves once http://127.0.0.1:<port>/healthz answers 200; rejects after `timeoutMs`. */
export async function firstOk(port: number, timeoutMs: number): Promise<void> {
  const url = `http://127.0.0.1:${port}/healthz`;
  await waitFor(async () => (await httpGet(url, 2_000)).status === 200, {
    timeoutMs,
    intervalMs: POLL_MS,
    what: `the app to answer 200 on ${url}`,
  });
}
