import type { Env } from "./env";

/** Telegram's Gateway API: the token (our calls' Bearer, and the key of its reports' signatures), its base URL, an optional sending channel. */
export interface TelegramConfig {
  token: string;
  apiBaseUrl: string;
  senderUsername?: string;
}

export const TELEGRAM_GATEWAY_DEFAULT_URL = "https://gatewayapi.telegram.org";

/** The TELEGRAM part of the configuration, from an environment env.ts has already validated; undefined without a token. */
export function telegramConfig(env: Env): TelegramConfig | undefined {
  if (!env.TELEGRAM_GATEWAY_TOKEN) return undefined;
  return {
    token: env.TELEGRAM_GATEWAY_TOKEN,
    apiBaseUrl: (env.TELEGRAM_GATEWAY_API_BASE_URL ?? TELEGRAM_GATEWAY_DEFAULT_URL).replace(/\/+$/, ""),
    ...(env.TELEGRAM_GATEWAY_SENDER_USERNAME && { senderUsername: env.TELEGRAM_GATEWAY_SENDER_USERNAME }),
  };
}
