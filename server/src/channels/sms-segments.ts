/**
 * How many SMS segments a text costs. GSM 03.38 7-bit when every character is in the default
 * alphabet or its extension table (extension characters cost two septets: an escape plus the
 * character); UCS-2 otherwise. One segment holds 160 septets or 70 UTF-16 units; concatenated
 * segments lose room to the UDH (153 / 67), and neither an escape pair nor a surrogate pair is
 * split across two segments, as handsets and carriers do.
 */
const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION = "\f^{}\\[~]|€";

const basic = new Set(GSM7_BASIC);
const extension = new Set(GSM7_EXTENSION);

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return false;
  return true;
}

export function smsSegments(text: string): SmsSegments {
  const gsm = isGsm7(text);
  // Each character's cost in units: GSM-7 1 or 2 (escaped); UCS-2 1 or 2 (surrogate pair).
  const costs = Array.from(text, (ch) => (gsm ? (extension.has(ch) ? 2 : 1) : ch.length));
  const units = costs.reduce((a, b) => a + b, 0);
  const single = gsm ? 160 : 70;
  const perPart = gsm ? 153 : 67;
  if (units <= single) return { encoding: gsm ? "GSM-7" : "UCS-2", units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const c of costs) {
    if (used + c > perPart) {
      segments++;
      used = 0;
    }
    used += c;
  }
  return { encoding: gsm ? "GSM-7" : "UCS-2", units, segments };
}
