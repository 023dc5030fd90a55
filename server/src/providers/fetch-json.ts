import { ProviderError } from "./provider";

/**
 * One HTTP request to a vendor's JSON API with `fetch`, for the vendors reached without an SDK
 * (MessageBird, the `http` provider): a timeout or a connection failure is a `transient`
 * ProviderError (TIMEOUT / NETWORK); any answer, whatever its status, comes back with its body
 * parsed when it is JSON (null otherwise). Redirects are refused: a vendor moving its API must
 * not take our credentials elsewhere.
 */
export async function fetchJson(vendor: string, url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  } catch (e) {
    const err = e as Error;
    const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
    throw new ProviderError(
      "transient", timedOut ? "TIMEOUT" : "NETWORK",
      timedOut ? `${vendor} did not answer within ${timeoutMs} ms` : `${vendor} could not be reached: ${(err.cause as Error)?.message ?? err.message}`,
    );
  }
  const text = await res.text().catch(() => "");
  try {
    return { status: res.status, json: text ? JSON.parse(text) : null };
  } catch {
    return { status: res.status, json: null };
  }
}
