import { createClient, type Client } from "graphql-ws";
import { generate } from "otplib";
import WebSocket from "ws";
import { dashboardUrl } from "../../server/src/admin/admin-services";
import { AuditLog } from "../../server/src/admin/auth/audit-log";
import { issueEnrolmentLink } from "../../server/src/admin/auth/staff-enrolment";
import { StaffStore } from "../../server/src/admin/auth/staff-store";
import { StaffRole } from "../../server/src/admin/auth/roles";
import type { TestGateway } from "./gateway";
import type { GqlResponse } from "./graphql-client";

export const STAFF_PASSWORD = "correct horse battery staple";

/** A dashboard user made the way `otp-gateway admin create` makes one. */
export async function createStaff(gw: TestGateway, email: string, role: "ADMIN" | "SUPPORT", password = STAFF_PASSWORD) {
  return new StaffStore(gw.app.db.ds).create({ email, role: role as StaffRole, password });
}

/** An enrolment link for a staff member, issued the way `otp-gateway admin enrolment-link` issues one; its token. */
export async function enrolmentToken(gw: TestGateway, email: string): Promise<string> {
  const ds = gw.app.db.ds;
  const staff = new StaffStore(ds);
  const user = await staff.findByEmail(email);
  if (!user) throw new Error(`no staff user ${email}`);
  const link = await issueEnrolmentLink({ ds, staff, audit: new AuditLog(ds), dashboardUrl: dashboardUrl(gw.app.config) }, user.id, { id: null, email: "cli:test", role: null }, null);
  return tokenOf(link.url);
}

export const tokenOf = (url: string) => new URL(url.replace("#/login", "login")).searchParams.get("enrol")!;
export const secretOf = (uri: string) => new URL(uri).searchParams.get("secret")!;
/** The authenticator's code `stepsAhead` 30-second steps from now (the server tolerates one step of drift). */
export const codeAt = (secret: string, stepsAhead = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });

/**
 * A staff member with an authenticator, enrolled through a link as a person would: the client is
 * signed in, and `secret` makes their codes. The enrolling code used the current step, so the
 * next sign-in takes `codeAt(secret, 1)`.
 */
export async function createStaffWithTotp(gw: TestGateway, email: string, role: "ADMIN" | "SUPPORT", headers: Record<string, string> = {}) {
  await createStaff(gw, email, role);
  const token = await enrolmentToken(gw, email);
  const client = new AdminClient(gw.url, headers);
  const begun = await client.gql(BEGIN_ENROLMENT, { token, email, password: STAFF_PASSWORD });
  if (!begun.data?.beginTotpEnrolment) throw new Error(`enrolment of ${email} failed: ${JSON.stringify(begun)}`);
  const secret = secretOf(begun.data.beginTotpEnrolment.uri);
  const done = await client.gql(FINISH_ENROLMENT, { token, email, password: STAFF_PASSWORD, code: await codeAt(secret) });
  if (done.data?.finishTotpEnrolment?.status !== "OK") throw new Error(`enrolment of ${email} failed: ${JSON.stringify(done)}`);
  return { client, secret };
}

/**
 * A browser's view of /admin/graphql: JSON POSTs carrying whatever session cookie the server
 * set (like a cookie jar scoped to /admin), plus any extra headers a test wants to try.
 */
export class AdminClient {
  cookie: string | null = null;
  /** The raw Set-Cookie header of the last answer that had one. */
  lastSetCookie: string | null = null;

  constructor(readonly url: string, readonly headers: Record<string, string> = {}) {}

  async gql<T = any>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
    const res = await fetch(`${this.url}/admin/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(this.cookie ? { cookie: this.cookie } : {}), ...this.headers, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) {
      this.lastSetCookie = setCookie;
      const [pair] = setCookie.split(";");
      const value = pair.slice(pair.indexOf("=") + 1);
      this.cookie = value ? pair : null;
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(setCookie)) this.cookie = null;
    }
    const body = (await res.json()) as { data?: T; errors?: GqlResponse["errors"] };
    return { status: res.status, data: body.data ?? undefined, errors: body.errors };
  }

  async login(email: string, password = STAFF_PASSWORD, totpCode?: string) {
    const r = await this.gql(LOGIN, { email, password, totpCode: totpCode ?? null });
    return r;
  }

  /** Signs in and fails the test unless the answer is OK. */
  static async signedIn(url: string, email: string, password = STAFF_PASSWORD, headers: Record<string, string> = {}): Promise<AdminClient> {
    const c = new AdminClient(url, headers);
    const r = await c.login(email, password);
    if (r.data?.login?.status !== "OK") throw new Error(`login of ${email} failed: ${JSON.stringify(r)}`);
    return c;
  }

  /** graphql-ws on /admin/graphql with this client's cookie on the upgrade, as a browser would send it. */
  ws(extraHeaders: Record<string, string> = {}): Client & { closeCodes: number[]; upgradeErrors: string[] } {
    const closeCodes: number[] = [];
    const upgradeErrors: string[] = [];
    const headers = { ...(this.cookie ? { cookie: this.cookie } : {}), ...extraHeaders };
    class CookieSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
        this.on("unexpected-response", (_req, res) => {
          upgradeErrors.push(String(res.statusCode));
          this.emit("error", new Error(`upgrade refused: ${res.statusCode}`));
        });
      }
    }
    const client = createClient({
      url: `${this.url.replace(/^http/, "ws")}/admin/graphql`,
      webSocketImpl: CookieSocket,
      retryAttempts: 0,
      on: { closed: (e) => closeCodes.push((e as { code: number }).code) },
    });
    return Object.assign(client, { closeCodes, upgradeErrors });
  }
}

export const LOGIN = `mutation($email: String!, $password: String!, $totpCode: String) {
  login(email: $email, password: $password, totpCode: $totpCode) { status user { id email role totpEnabled } } }`;
export const BEGIN_ENROLMENT = `mutation($token: String!, $email: String!, $password: String!) {
  beginTotpEnrolment(token: $token, email: $email, password: $password) { uri qrCodeSvg } }`;
export const FINISH_ENROLMENT = `mutation($token: String!, $email: String!, $password: String!, $code: String!) {
  finishTotpEnrolment(token: $token, email: $email, password: $password, code: $code) { status user { id email totpEnabled } } }`;
export const ME = `{ me { id email role } }`;
export const LOGOUT = `mutation { logout }`;
export const SEARCH = `query($filter: VerificationFilter, $page: Int, $perPage: Int, $sortField: String, $sortOrder: String) {
  verifications(filter: $filter, page: $page, perPage: $perPage, sortField: $sortField, sortOrder: $sortOrder) {
    total data { id appName channel destination destinationMasked country status lastProvider lastDeliveryStatus lastErrorCode createdAt } } }`;
export const TIMELINE = `query($id: ID!) { verification(id: $id) { id destination destinationMasked status
  timeline { at kind summary provider channel status source messageId errorCode errorMessage errorExplanation latencyMs ip rule hits limit blockId destination } } }`;
export const REVEAL = `mutation($id: ID!, $reason: String!) { revealDestination(verificationId: $id, reason: $reason) { verificationId destination } }`;
export const BLOCKS = `query($filter: BlockFilter) { blocks(filter: $filter, perPage: 100) { total data { id appId rule key hits limit windowSeconds active blockedUntil liftedAt liftedBy liftReason } } }`;
export const LIFT = `mutation($id: ID!, $reason: String!) { liftBlock(id: $id, reason: $reason) { id active liftedAt liftedBy liftReason } }`;
export const PROVIDERS = `{ providers { total data { id provider channel position breakerState
  hour { attempts sent delivered failed failureRate latencyP50Ms latencyP95Ms } day { attempts failed failureRate } week { attempts failed failureRate }
  topErrors { code count explanation } } } }`;
export const AUDIT = `query($filter: AuditFilter) { auditLog(filter: $filter, perPage: 100) { total data { id at actorEmail actorRole action targetType targetId reason before after ip } } }`;
