import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, createStaff } from "../helpers/admin";
import { runCli } from "../helpers/cli";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { gql } from "../helpers/graphql-client";
import { TOTP_FACTORS, enroll, phoneCode, verifyTotp, wrongCode } from "../helpers/totp";

const FACTORS = `query($filter: TotpFactorFilter) { totpFactors(filter: $filter, perPage: 100) { total data {
  id appId appName subject label status createdAt verifiedAt lastUsedAt revokedAt attemptsDay failuresDay lastAttemptOutcome } } }`;
const FACTOR = `query($id: ID!) { totpFactor(id: $id) { id subject status revokedAt timeline { at kind summary status ip rule } } }`;
const REVOKE = `mutation($id: ID!, $reason: String!) { revokeTotpFactor(id: $id, reason: $reason) { id status revokedAt } }`;

/**
 * Support's side of end users' authenticators: the admin API behind the dashboard (any role
 * reads, client IPs masked for SUPPORT, only ADMIN revokes, with a reason, audited) and the
 * `otp-gateway totp` commands against the same database.
 */
describe("TOTP factors in the dashboard API and the CLI", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };
  let other: { id: string; key: string };
  let factor: { id: string; secret: string };
  let admin: AdminClient;
  let support: AdminClient;

  beforeAll(async () => {
    gw = await startGateway();
    app = await gw.createApp({ name: "Bank" });
    other = await gw.createApp({ name: "Other" });
    await createStaff(gw, "lead@example.com", "ADMIN");
    await createStaff(gw, "agent@example.com", "SUPPORT");
    admin = await AdminClient.signedIn(gw.url, "lead@example.com");
    support = await AdminClient.signedIn(gw.url, "agent@example.com");
    const e = await enroll(gw, app.key, { subject: "customer-7", label: "ann@example.com" });
    factor = { id: e.factor.id, secret: e.secret };
    await verifyTotp(gw, app.key, { factorId: factor.id, code: wrongCode(e.secret, Date.now()), clientIp: "203.0.113.77" });
    await verifyTotp(gw, app.key, { factorId: factor.id, code: phoneCode(e.secret, Date.now()), clientIp: "203.0.113.77" });
    await enroll(gw, other.key, { subject: "customer-7" });
    await enroll(gw, app.key, { subject: "customer-8" });
  });
  afterAll(() => gw?.stop());

  it("any role finds a subject's factors by app and subject (SUPPORT sees subject and label masked); nothing there carries a secret", async () => {
    for (const [staff, shown] of [[admin, { subject: "customer-7", label: "ann@example.com" }], [support, { subject: "c***-7", label: "a***@example.com" }]] as const) {
      const r = await staff.gql(FACTORS, { filter: { appId: app.id, subject: "customer-7" } });
      expect(r.data.totpFactors.total).toBe(1);
      expect(r.data.totpFactors.data[0]).toMatchObject({
        id: factor.id, appName: "Bank", ...shown, status: "VERIFIED", attemptsDay: 2, failuresDay: 1, lastAttemptOutcome: "APPROVED",
      });
      expect(JSON.stringify(r)).not.toContain(factor.secret);
    }
    // ADMIN finds by the start of a subject, across apps when no app is chosen; SUPPORT only by the whole subject.
    const all = await admin.gql(FACTORS, { filter: { subject: "customer-" } });
    expect(all.data.totpFactors.data.map((f: any) => `${f.appName}/${f.subject}`).sort()).toEqual(["Bank/customer-7", "Bank/customer-8", "Other/customer-7"]);
    expect((await support.gql(FACTORS, { filter: { subject: "customer-" } })).data.totpFactors.total).toBe(0);
    // LIKE wildcards in the search are literal.
    expect((await admin.gql(FACTORS, { filter: { subject: "%" } })).data.totpFactors.total).toBe(0);
  });

  it("a factor's timeline has every code check with its outcome; client IPs whole for ADMIN, masked for SUPPORT", async () => {
    const asAdmin = (await admin.gql(FACTOR, { id: factor.id })).data.totpFactor;
    const checks = asAdmin.timeline.filter((t: any) => t.kind === "VERIFY_ATTEMPT");
    expect(checks.map((t: any) => [t.status, t.ip])).toEqual([["WRONG_CODE", "203.0.113.77"], ["APPROVED", "203.0.113.77"]]);
    expect(asAdmin.timeline[0]).toMatchObject({ kind: "REQUEST", summary: expect.stringContaining('Bank enrolled an authenticator labelled "ann@example.com"') });
    expect(asAdmin.timeline.at(-1)).toMatchObject({ kind: "OUTCOME", status: "VERIFIED" });
    const asSupport = (await support.gql(FACTOR, { id: factor.id })).data.totpFactor;
    const ips = asSupport.timeline.filter((t: any) => t.kind === "VERIFY_ATTEMPT").map((t: any) => t.ip);
    expect(ips).toEqual(["203.0.113.*", "203.0.113.*"]);
    expect(JSON.stringify(asSupport)).not.toContain("203.0.113.77");
    expect((await support.gql(FACTOR, { id: "not-a-uuid" })).data.totpFactor).toBeNull();
  });

  it("SUPPORT can't revoke; ADMIN revokes with a reason (audited, secret erased), and the client app's key stops verifying it", async () => {
    const refused = await support.gql(REVOKE, { id: factor.id, reason: "customer lost the phone" });
    expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await admin.gql(REVOKE, { id: factor.id, reason: "" })).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "reason" });
    const [{ status: still }] = await gw.app.db.ds.query(`SELECT status FROM totp_factors WHERE id = $1`, [factor.id]);
    expect(still).toBe("VERIFIED");

    const done = await admin.gql(REVOKE, { id: factor.id, reason: "Customer lost the phone, ticket 4411" });
    expect(done.data.revokeTotpFactor).toMatchObject({ id: factor.id, status: "REVOKED" });
    const [audit] = await gw.app.db.ds.query(`SELECT actor_email, reason, before, after FROM audit_log WHERE action = 'totp_factor.revoke' AND target_id = $1`, [factor.id]);
    expect(audit).toMatchObject({ actor_email: "lead@example.com", reason: "Customer lost the phone, ticket 4411", before: { status: "VERIFIED" }, after: { status: "REVOKED" } });
    expect(JSON.stringify(audit)).not.toContain(factor.secret);
    const timeline = (await support.gql(FACTOR, { id: factor.id })).data.totpFactor.timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: "OUTCOME", status: "REVOKED", summary: "Revoked by lead@example.com: Customer lost the phone, ticket 4411" });
    expect((await admin.gql(REVOKE, { id: factor.id, reason: "again" })).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");

    expect((await verifyTotp(gw, app.key, { factorId: factor.id, code: phoneCode(factor.secret, Date.now() + 30_000) })).errors?.[0].extensions?.code).toBe("NOT_FOUND");
    expect((await gql(gw.url, app.key, TOTP_FACTORS, { subject: "customer-7" })).data.totpFactors[0].status).toBe("REVOKED");
  });

  // Each command is a fresh process that opens and migrates the database: seconds apiece on a busy machine.
  it("otp-gateway totp list shows a subject's factors in one app; totp revoke revokes one, audited as the operator", { timeout: 120_000 }, async () => {
    const e = await enroll(gw, app.key, { subject: "cli-subject", label: "phone" });
    const env = { DATABASE_URL: gw.env.DATABASE_URL, OTP_SECRET: gw.env.OTP_SECRET, DATA_DIR: gw.env.DATA_DIR };
    const listed = runCli(["totp", "list", "--app", app.id, "--subject", "cli-subject", "--json"], env);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: e.factor.id, subject: "cli-subject", label: "phone", status: "UNVERIFIED" })]);
    expect(listed.stdout).not.toContain(e.secret);
    // Another app's id lists nothing of this app's (the table form).
    expect(runCli(["totp", "list", "--app", other.id, "--subject", "cli-subject"], env).stdout).toBe("No factors.\n");

    const revoked = runCli(["totp", "revoke", "--id", e.factor.id, "--reason", "user asked by phone"], env);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toBe(`Revoked factor ${e.factor.id} of subject cli-subject\n`);
    const [audit] = await gw.app.db.ds.query(`SELECT actor_email, reason FROM audit_log WHERE action = 'totp_factor.revoke' AND target_id = $1`, [e.factor.id]);
    expect(audit.actor_email).toMatch(/^cli:/);
    expect(audit.reason).toBe("user asked by phone");
    const again = runCli(["totp", "revoke", "--id", e.factor.id], env);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain("already revoked");
    expect(runCli(["totp", "list", "--app", "nope", "--subject", "x"], env).stderr).toMatch(/--app.*must be an app's id/);
  });
});
