import { ProviderError, type FailureKind } from "../provider";
import { VONAGE_MESSAGES_KIND } from "./messages-errors";

/** "https://developer.vonage.com/api-errors/messages#1022" → "1022"; "…#unauthorized" → "unauthorized". */
export function codeOf(error: { type?: unknown; title?: unknown } | undefined): string | null {
  const fragment = typeof error?.type === "string" ? error.type.split("#")[1] : undefined;
  if (fragment) return fragment;
  return error?.title !== undefined && error.title !== null ? String(error.title) : null;
}

/**
 * The SDK throws a VetchError carrying the unread Response for a non-2xx answer; its body is
 * Vonage's RFC 7807 problem (`type` ends in the code: "…/messages#1022", "…#unauthorized").
 * Anything else is the network (refused, reset, timed out).
 */
export async function classify(e: unknown): Promise<ProviderError> {
  const err = e as { message?: string; response?: { status?: unknown; text?: () => Promise<string> } };
  const http = typeof err.response?.status === "number" ? err.response.status : undefined;
  if (http === undefined) return new ProviderError("transient", "NETWORK", (err.message ?? "Vonage request failed").slice(0, 500));
  let problem: { type?: unknown; title?: unknown; detail?: unknown } = {};
  try {
    problem = JSON.parse((await err.response!.text!()) || "{}");
  } catch {
    // Not JSON (a proxy's HTML error page): the HTTP status says enough.
  }
  const fromType = codeOf({ type: problem.type });
  const code = fromType && VONAGE_MESSAGES_KIND[fromType] ? fromType : String(http);
  const kind: FailureKind =
    VONAGE_MESSAGES_KIND[code] ?? (http === 429 || http >= 500 ? "transient" : http === 401 || http === 402 || http === 403 ? "provider" : "permanent");
  const text = [problem.title, problem.detail].filter((s) => typeof s === "string" && s).join(": ") || `Vonage answered HTTP ${http}`;
  return new ProviderError(kind, code, text.slice(0, 500));
}
