import { z } from "zod";

/**
 * The TELEGRAM channel's variables (Telegram's Gateway API), kept beside env.ts so the
 * channel's rules read in one place; env.ts spreads the shape.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

export const telegramEnvShape = {
  /** The Gateway account's API token (gateway.telegram.org/account/api): it authenticates our calls and keys the reports' signatures. */
  TELEGRAM_GATEWAY_TOKEN: optionalString.pipe(z.string().regex(/^[\x21-\x7e]{16,512}$/, "must be the Gateway API token from gateway.telegram.org/account/api (no spaces)").optional()),
  /** https://gatewayapi.telegram.org unless set (a local stand-in in tests). */
  TELEGRAM_GATEWAY_API_BASE_URL: optionalString.pipe(z.string().url().regex(/^https?:\/\//, "must be an http:// or https:// URL").optional()),
  /** A verified Telegram channel owned by the Gateway account, which then sends the codes (`sender_username`). */
  TELEGRAM_GATEWAY_SENDER_USERNAME: optionalString.pipe(
    z.string().transform((v) => v.replace(/^@/, "")).pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be a Telegram channel's username (5–32 letters, digits, _)")).optional(),
  ),
};

type TelegramEnv = { [K in keyof typeof telegramEnvShape]?: z.output<(typeof telegramEnvShape)[K]> };

/** Problems with the TELEGRAM variables, each on the variable to fix (never its value). */
export function telegramEnvProblems(env: TelegramEnv): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (!env.TELEGRAM_GATEWAY_TOKEN && (env.TELEGRAM_GATEWAY_API_BASE_URL || env.TELEGRAM_GATEWAY_SENDER_USERNAME)) {
    problems.push({ path: "TELEGRAM_GATEWAY_TOKEN", message: "is required with TELEGRAM_GATEWAY_API_BASE_URL / TELEGRAM_GATEWAY_SENDER_USERNAME" });
  }
  return problems;
}
