import jsQR from "jsqr";
import { Secret, TOTP } from "otpauth";
import type { TestGateway } from "./gateway";
import { gql, type GqlResponse } from "./graphql-client";

/**
 * TOTP as an authenticator app on the user's phone would compute it: the `otpauth` library,
 * independent of the `otplib` the gateway uses, so the two check each other against RFC 6238.
 */
export function phoneCode(secret: string, atMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate({ timestamp: atMs });
}

/** A code that is wrong at `atMs` for every step the gateway would accept (±1 step), never by chance right. */
export function wrongCode(secret: string, atMs: number): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => phoneCode(secret, atMs + d)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

/** A clock the gateway checks codes against (AppOptions.clock), set by the test: mid-step, so ±30 s lands on the neighbours. */
export class TestClock {
  now = (Math.floor(Date.now() / 30_000) + 0.5) * 30_000;
  readonly read = () => this.now;
  /** Moves to the middle of the next step (what a user waiting for a fresh code sees). */
  nextStep(): number {
    this.now += 30_000;
    return this.now;
  }
}

export const ENROLL_TOTP = `mutation($input: EnrollTotpInput!) { enrollTotp(input: $input) {
  factor { id subject label status createdAt verifiedAt lastUsedAt } secret uri qrCodeSvg } }`;
export const VERIFY_TOTP = `mutation($input: VerifyTotpInput!) { verifyTotp(input: $input) { status attemptsRemaining token } }`;
export const REVOKE_TOTP = `mutation($id: ID!) { revokeTotpFactor(factorId: $id) { id subject status verifiedAt lastUsedAt } }`;
export const TOTP_FACTORS = `query($subject: String!) { totpFactors(subject: $subject) { id subject label status createdAt verifiedAt lastUsedAt } }`;

export interface Enrollment { factor: { id: string; subject: string; label: string | null; status: string }; secret: string; uri: string; qrCodeSvg: string }

export async function enroll(gw: TestGateway, key: string, input: Record<string, unknown>): Promise<Enrollment> {
  const r = await gql(gw.url, key, ENROLL_TOTP, { input });
  if (!r.data?.enrollTotp) throw new Error(`enrollTotp failed: ${JSON.stringify(r.errors)}`);
  return r.data.enrollTotp;
}

export function verifyTotp(gw: TestGateway, key: string, input: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse> {
  return gql(gw.url, key, VERIFY_TOTP, { input }, headers);
}

/**
 * Decodes the SVG QR code by drawing it: the `qrcode` package draws dark modules as one stroked
 * path of horizontal runs ("M4 4.5h7m4 0h1…", one unit per module), which is rasterized here at
 * 8 px per module onto white and handed to jsQR, a decoder that knows nothing of how it was made.
 */
export function decodeQrSvg(svg: string): string | null {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)?.[1];
  if (!size || !d) throw new Error("not an SVG QR code of the expected shape");
  const dark = new Set<string>();
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of d.matchAll(/([MmHhVv])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?/g)) {
    const n = Number(a);
    if (cmd === "M") [x, y] = [n, Number(b)];
    else if (cmd === "m") [x, y] = [x + n, y + Number(b)];
    else if (cmd === "h") {
      for (let i = 0; i < n; i++) dark.add(`${x + i},${Math.floor(y)}`);
      x += n;
    } else throw new Error(`unexpected path command ${cmd}`);
  }
  const scale = 8;
  const px = size * scale;
  const data = new Uint8ClampedArray(px * px * 4).fill(255);
  for (const cell of dark) {
    const [cx, cy] = cell.split(",").map(Number);
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const i = ((cy * scale + dy) * px + cx * scale + dx) * 4;
        data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }
  return jsQR(data, px, px)?.data ?? null;
}
