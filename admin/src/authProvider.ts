import type { AuthProvider } from "react-admin";
import { gql } from "./graphql";

export type Role = "ADMIN" | "SUPPORT";
export interface Permissions { role: Role; outbox: boolean }

/** Thrown by login when the password was right but the second factor is still needed (or, for an ADMIN without one, missing). */
export class SecondFactorNeeded extends Error {
  constructor(readonly step: "TOTP_REQUIRED" | "TOTP_SETUP_REQUIRED") {
    super(step === "TOTP_REQUIRED"
      ? "Enter the code from your authenticator app"
      : "Your account needs an authenticator app before you can sign in. Ask an ADMIN for an enrolment link (Staff page, or `otp-gateway admin enrolment-link`).");
  }
}

const LOGIN = `mutation($email: String!, $password: String!, $totpCode: String) {
  login(email: $email, password: $password, totpCode: $totpCode) { status user { id email role } } }`;

/** checkAuth, getIdentity and getPermissions run together on each page: ask the server once for all three. */
let cached: { at: number; me: { id: string; email: string; role: Role } | null; outbox: boolean } | null = null;

async function me() {
  if (cached && Date.now() - cached.at < 2000) return cached;
  const data = await gql<{ me: { id: string; email: string; role: Role } | null }>(`{ me { id email role } }`);
  let outbox = false;
  if (data.me) outbox = (await gql<{ outboxEnabled: boolean }>(`{ outboxEnabled }`)).outboxEnabled;
  cached = { at: Date.now(), me: data.me, outbox };
  return cached;
}

/**
 * Cookie sessions: the browser holds only the HttpOnly cookie the server set; "am I signed in"
 * is always the server's answer (`me`), so an expired or revoked session shows the login page.
 */
export const authProvider: AuthProvider = {
  async login({ email, password, totpCode }: { email: string; password: string; totpCode?: string }) {
    cached = null;
    const { login } = await gql(LOGIN, { email, password, totpCode: totpCode || null });
    if (login.status !== "OK") throw new SecondFactorNeeded(login.status);
  },
  async logout() {
    cached = null;
    await gql(`mutation { logout }`).catch(() => undefined);
  },
  async checkAuth() {
    const { me: user } = await me();
    if (!user) throw new Error("Please sign in");
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      cached = null;
      throw new Error("Your session has ended; please sign in again");
    }
  },
  async getIdentity() {
    const { me: user } = await me();
    if (!user) throw new Error("Not signed in");
    return { id: user.id, fullName: `${user.email} (${user.role})` };
  },
  async getPermissions(): Promise<Permissions | null> {
    const { me: user, outbox } = await me();
    return user ? { role: user.role, outbox } : null;
  },
};
