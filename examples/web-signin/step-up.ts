import { randomBytes } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import type { GatewayClient } from "./gateway-client";

/**
 * What a client app does when a phone code may be in the wrong hands: a SIM-swap check.
 *
 * The gateway checks the number's SIM card before it sends a phone code (when the app has the
 * `simSwap` setting). In `flag` mode the code is sent and the token says `sim_swap: "swapped"`;
 * in `refuse` mode nothing is sent and requestOtp answers FORBIDDEN with reason SIM_SWAP. A
 * resendOtp is checked afresh (the SIM may have been swapped since the first code): the same two
 * outcomes, so the backend remembers which number each verification it started went to. Either
 * way, a code to that phone no longer proves much — whoever swapped the SIM receives it — so this
 * backend does not sign in on it and asks for a second factor the attacker doesn't hold: a code
 * sent to the account's e-mail address, or one from the user's authenticator app.
 *
 * The page is told only "one more check" — never that the SIM changed: an attacker learns
 * nothing about which of their moves tripped it. Everything the step-up needs (the account, the
 * e-mail address, the authenticator subject, the e-mail verification's id) stays here, behind a
 * random, short-lived, single-use handle; the browser can't swap in another address or subject.
 */

/** The app's own account for a phone number: where else it can reach that person. */
export interface Account {
  /** Receives the step-up code (channel EMAIL). */
  email?: string;
  /** The subject the app enrolled an authenticator (TOTP) factor under. */
  totpSubject?: string;
}
export type FindAccount = (phoneE164: string) => Account | undefined | Promise<Account | undefined>;

export type StepUpMethod = { kind: "EMAIL"; to: string } | { kind: "TOTP" };

interface Session {
  account: Account;
  expiresAt: number;
  emailVerificationId?: string;
}

/** "j***@example.com", as the gateway masks e-mail addresses. */
export const maskEmail = (email: string) => email.replace(/^(.)[^@]*@/, "$1***@");

const TTL_MS = 10 * 60_000;
const MAX_SESSIONS = 10_000;

export class StepUps {
  private readonly sessions = new Map<string, Session>();
  /** The number each verification this backend started went to: a resend refused for a SIM swap steps up for it. */
  private readonly phones = new Map<string, { phone: string; expiresAt: number }>();
  private readonly jwks;

  constructor(
    private readonly gateway: GatewayClient,
    gatewayUrl: string,
    private readonly findAccount: FindAccount,
    /** The app's id: tokens for another app (aud) are refused. */
    private readonly appId?: string,
  ) {
    this.jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", gatewayUrl));
  }

  /** The token's claims once its signature (the gateway's published key), expiry and audience check out. */
  async claims(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.jwks, this.appId ? { audience: this.appId } : {});
    return payload;
  }

  /** A SIM swap stands against this phone: open a step-up and say which other factors the account has. */
  async start(phoneE164: string): Promise<{ id: string; methods: StepUpMethod[] }> {
    const account = (await this.findAccount(phoneE164)) ?? {};
    const id = randomBytes(18).toString("base64url");
    this.sweep();
    this.sessions.set(id, { account, expiresAt: Date.now() + TTL_MS });
    const methods: StepUpMethod[] = [];
    if (account.email) methods.push({ kind: "EMAIL", to: maskEmail(account.email) });
    if (account.totpSubject) methods.push({ kind: "TOTP" });
    return { id, methods };
  }

  private session(id: unknown): Session | undefined {
    const s = typeof id === "string" ? this.sessions.get(id) : undefined;
    if (s && s.expiresAt < Date.now()) {
      this.sessions.delete(id as string);
      return undefined;
    }
    return s;
  }

  /** Sends the e-mail code; the verification it makes is the only one this step-up accepts. */
  async sendEmail(id: unknown, clientIp?: string) {
    const s = this.session(id);
    if (!s?.account.email) return undefined;
    const verification = (await this.gateway.requestOtp({ destination: s.account.email, channel: "EMAIL", purpose: "login-step-up", clientIp })) as { id: string };
    s.emailVerificationId = verification.id;
    return verification;
  }

  /** Checks the second factor's code; on APPROVED the step-up is used up and the user is signed in. */
  async verify(id: unknown, method: unknown, code: string, clientIp?: string): Promise<{ status: string; attemptsRemaining: number; signedIn: boolean } | undefined> {
    const s = this.session(id);
    if (!s) return undefined;
    let r: { status: string; attemptsRemaining: number; token: string | null };
    if (method === "EMAIL" && s.emailVerificationId) r = await this.gateway.verifyOtp(s.emailVerificationId, code);
    else if (method === "TOTP" && s.account.totpSubject) r = await this.gateway.verifyTotp(s.account.totpSubject, code, clientIp);
    else return undefined;
    const signedIn = r.status === "APPROVED" && Boolean(r.token) && Boolean(await this.claims(r.token!).catch(() => undefined));
    if (signedIn) this.sessions.delete(id as string);
    return { status: r.status, attemptsRemaining: r.attemptsRemaining, signedIn };
  }

  /** A verification this backend started for `phone` (requestOtp answered): remembered for a resend's step-up. */
  remember(verificationId: string, phone: string): void {
    this.sweep();
    this.phones.set(verificationId, { phone, expiresAt: Date.now() + TTL_MS });
  }

  /** The number a verification of this backend went to; undefined once forgotten (10 minutes, or the oldest of too many). */
  phoneOf(verificationId: unknown): string | undefined {
    const p = typeof verificationId === "string" ? this.phones.get(verificationId) : undefined;
    return p && p.expiresAt >= Date.now() ? p.phone : undefined;
  }

  private sweep() {
    const now = Date.now();
    for (const map of [this.sessions, this.phones] as Array<Map<string, { expiresAt: number }>>) {
      for (const [k, s] of map) if (s.expiresAt < now) map.delete(k);
      // Bounded: a flood of step-ups or requests can't grow these without end (the oldest go first).
      while (map.size >= MAX_SESSIONS) map.delete(map.keys().next().value!);
    }
  }
}
