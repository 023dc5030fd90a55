/**
 * The per-app channel extras (AppSettings.smsAppHash / webOtpDomain), checked where they are
 * set (CLI, admin) and again where they are used, so that a bad value never reaches a phone.
 */

/** Android SMS Retriever: the 11-character hash Google derives from the app's package and signing key. */
const SMS_APP_HASH = /^[A-Za-z0-9+/]{11}$/;
/** A hostname (ASCII or punycode): dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isSmsAppHash(v: unknown): v is string {
  return typeof v === "string" && SMS_APP_HASH.test(v);
}

/** The bare host of the origin that reads the code with WebOTP: no scheme, port or path. */
export function isWebOtpDomain(v: unknown): v is string {
  return typeof v === "string" && HOSTNAME.test(v);
}

/** Problems with the channel settings, in words an operator can act on; empty when they are fine. */
export function channelSettingsProblems(s: { smsAppHash?: unknown; webOtpDomain?: unknown }): string[] {
  const problems: string[] = [];
  if (s.smsAppHash !== undefined && !isSmsAppHash(s.smsAppHash)) {
    problems.push("SMS app hash must be the 11 characters (A-Z a-z 0-9 + /) of the Android SMS Retriever hash");
  }
  if (s.webOtpDomain !== undefined && !isWebOtpDomain(s.webOtpDomain)) {
    problems.push("WebOTP domain must be a bare hostname such as example.com (no scheme, port or path)");
  }
  return problems;
}
