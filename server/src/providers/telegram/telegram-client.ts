import type { TelegramConfig } from "../../config/config";
import { fetchJson } from "../fetch-json";
import { ProviderError } from "../provider";
import { telegramError } from "./telegram-errors";

/** Telegram's RequestStatus (core.telegram.org/gateway/api#requeststatus): the answer to a send and the body of a report. */
export interface TelegramRequestStatus {
  request_id: string;
  phone_number: string;
  request_cost: number;
  is_refunded?: boolean;
  remaining_balance?: number;
  delivery_status?: { status: string; updated_at: number };
  verification_status?: { status: string; updated_at: number; code_entered?: string };
  payload?: string;
}

/**
 * One Gateway API method: `POST {TELEGRAM_GATEWAY_API_BASE_URL}/<method>` with a JSON body and
 * `Authorization: Bearer <token>` (the API also takes the token as a parameter; a header keeps
 * it out of any URL a proxy logs). Every answer is `{ ok, result }` or `{ ok: false, error }`;
 * a refusal becomes a ProviderError by telegramError, an unreachable API a transient one
 * (fetchJson). The token never appears in an error: Telegram doesn't echo it, and we don't.
 */
export async function callTelegramGateway(config: TelegramConfig, method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
  const { status, json } = await fetchJson("Telegram's Gateway API", `${config.apiBaseUrl}/${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${config.token}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(params),
  }, timeoutMs);
  const answer = (json && typeof json === "object" ? json : {}) as { ok?: unknown; result?: unknown; error?: unknown };
  if (answer.ok === true && status >= 200 && status < 300) return answer.result;
  if (answer.ok === true) throw new ProviderError("transient", `HTTP_${status}`, `Telegram's Gateway API answered ${status}`);
  throw telegramError(typeof answer.error === "string" ? answer.error : undefined, status);
}
