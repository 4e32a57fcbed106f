// Progress lines, bounded polling and a bounded HTTP GET.

/** Writes `[<label> +<elapsed>s] <line>` lines to stderr. */
export function progress(label: string, start = Date.now()): (line: string) => void {
  return (line: string) => {
    const elapsed = Math.round((Date.now() - start) / 1000);
    process.stderr.write(`[${label} +${elapsed}s] ${line}\n`);
  };
}

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is awaited, for the error message ("the app to answer on :3000"). */
  what: string;
}

/**
 * Calls fn until it returns a truthy value (returned) or the time is up. Errors thrown by fn count
 * as "not yet". The timeout error says what was awaited and the last error or value seen.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs, intervalMs = 500, what }: WaitForOptions,
): Promise<T> {
  const start = Date.now();
  let last: string;
  for (;;) {
    try {
      const value = await fn();
      if (value) {
        return value;
      }
      last = `value ${JSON.stringify(value)}`;
    } catch (e) {
      last = `error ${e instanceof Error ? e.message : String(e)}`;
    }
    const elapsed = Date.now() - start;
    if (elapsed >= timeoutMs) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - elapsed)));
  }
}

export interface HttpResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** GET with a timeout covering the whole exchange (body included). */
export async function httpGet(url: string, timeoutMs = 5_000): Promise<HttpResponse> {
  let res: Response;
  let body: string;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    body = await res.text();
  } catch (e) {
    // fetch's own message is just "fetch failed": name the URL and the underlying cause.
    const err = e as Error & { cause?: { message?: string; code?: string } };
    const cause = err.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000}s` : err.cause?.message;
    throw new Error(`GET ${url} failed: ${cause ?? err.message}`, { cause: e });
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { status: res.status, body, headers };
}
