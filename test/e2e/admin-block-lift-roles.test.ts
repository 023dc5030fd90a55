import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocksOf, requestOtp, verifyOtp } from "../helpers/abuse";
import { AdminClient, LIFT, createStaffWithTotp } from "../helpers/admin";
import { codeFromOutbox, eventually } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode } from "../helpers/graphql-client";

const BLOCK = `query($id: ID!) { block(id: $id) { id rule active liftNeedsAdmin } }`;
/** An attacker's address for the staff sign-in guards (TRUST_PROXY lets the test name it). */
const ATTACKER = { "x-forwarded-for": "198.51.100.7" };

/**
 * The money and brute-force guards — the pumping guard, the daily spend ceilings, NIST's daily
 * cap of wrong codes per destination, staff sign-in — are lifted by ADMIN only: SUPPORT gets
 * FORBIDDEN and the block stands (still refusing); ADMIN lifts it, audited. SUPPORT still lifts
 * the everyday limits. Each block is made by real traffic.
 */
describe("lifting blocks: the money and brute-force guards are ADMIN's", () => {
  let gw: TestGateway;
  let support: AdminClient;
  let admin: AdminClient;
  /** rule → the id of a block of it */
  const blocks: Record<string, string> = {};
  let pump: { id: string; key: string };

  const ok = async (key: string, to: string, extra: Record<string, unknown> = {}) => expect((await requestOtp(gw, key, to, extra)).errors, to).toBeUndefined();
  const limited = async (key: string, to: string, extra: Record<string, unknown> = {}) => expect(errorCode(await requestOtp(gw, key, to, extra))).toBe("RATE_LIMITED");
  const blockOf = async (appId: string | null, rule: string) =>
    eventually(async () => (await gw.app.db.ds.query(`SELECT id FROM rate_limit_blocks WHERE rule = $1 AND app_id IS NOT DISTINCT FROM $2::uuid`, [rule, appId]))[0]?.id as string | undefined, `a ${rule} block`);
  const row = async (id: string) => (await gw.app.db.ds.query(`SELECT lifted_at, lifted_by, lift_reason FROM rate_limit_blocks WHERE id = $1`, [id]))[0];
  const lifts = async (id: string) => gw.app.db.ds.query(`SELECT actor_email, actor_role, reason FROM audit_log WHERE action = 'block.lift' AND target_id = $1`, [id]);

  beforeAll(async () => {
    gw = await startGateway({ env: { TRUST_PROXY: "127.0.0.1", ADMIN_LOGIN_MAX_PER_EMAIL: "2", ADMIN_LOGIN_MAX_PER_IP: "3" } });
    // Each staff member signs in from an address of their own: the attacker's attempts below spend only theirs.
    support = (await createStaffWithTotp(gw, "agent@example.com", "SUPPORT", { "x-forwarded-for": "203.0.113.11" })).client;
    admin = (await createStaffWithTotp(gw, "lead@example.com", "ADMIN", { "x-forwarded-for": "203.0.113.12" })).client;

    // Floor 1: open codes with no evidence weigh half, so two go out and the third is refused.
    pump = await gw.createApp({ name: "Pump", settings: { limits: { pumping: { prefix: { floor: 1, share: 0.5 }, country: null, unproven: null, app: null } } } });
    await ok(pump.key, "+14155550101");
    await ok(pump.key, "+14155550102");
    await limited(pump.key, "+14155550103");
    blocks.pumping_prefix = await blockOf(pump.id, "pumping_prefix");

    // France gets a history (one verified code), so its other prefixes are judged as its fresh ones: floor 1, two go out.
    const country = await gw.createApp({ name: "Country", settings: { limits: { pumping: { prefix: { floor: 5 }, country: { floor: 1, share: 0.5 }, unproven: null, app: null } } } });
    const proven = await requestOtp(gw, country.key, "+33612340001");
    expect((await verifyOtp(gw, country.key, { verificationId: proven.data.requestOtp.id, code: await codeFromOutbox(gw.logs, "+33612340001") })).data.verifyOtp.status).toBe("APPROVED");
    await ok(country.key, "+33612350001");
    await ok(country.key, "+33612360001");
    await limited(country.key, "+33612370001");
    blocks.pumping_country = await blockOf(country.id, "pumping_country");

    const ceiling = await gw.createApp({ name: "Ceiling", settings: { limits: { spendCeiling: { paidPerDay: 1, emailPerDay: 1 } } } });
    await ok(ceiling.key, "+14155550201");
    await limited(ceiling.key, "+14155550202");
    await ok(ceiling.key, "someone@example.com", { channel: "EMAIL" });
    await limited(ceiling.key, "other@example.com", { channel: "EMAIL" });
    blocks.spend_ceiling_paid = await blockOf(ceiling.id, "spend_ceiling_paid");
    blocks.spend_ceiling_email = await blockOf(ceiling.id, "spend_ceiling_email");

    const guesses = await gw.createApp({ name: "Guesses", settings: { limits: { verifyFailuresPerDestinationPerDay: 1 } } });
    const r = await requestOtp(gw, guesses.key, "+14155550301");
    const code = await codeFromOutbox(gw.logs, "+14155550301");
    await verifyOtp(gw, guesses.key, { verificationId: r.data.requestOtp.id, code: code === "000000" ? "111111" : "000000" });
    blocks.verify_failures_per_destination_day = await blockOf(guesses.id, "verify_failures_per_destination_day");

    // Guessing lead@example.com's password from one address: the address's budget (3) and the e-mail's (2).
    for (const email of ["lead@example.com", "lead@example.com", "lead@example.com", "other@example.com"]) {
      expect((await new AdminClient(gw.url, ATTACKER).login(email, "wrong password")).errors).toBeDefined();
    }
    blocks.admin_login_per_email = await blockOf(null, "admin_login_per_email");
    blocks.admin_login_per_ip = await blockOf(null, "admin_login_per_ip");
  }, 120_000);
  afterAll(() => gw?.stop());

  const guarded = ["pumping_prefix", "pumping_country", "spend_ceiling_paid", "spend_ceiling_email", "verify_failures_per_destination_day", "admin_login_per_email", "admin_login_per_ip"];

  it.each(guarded)("SUPPORT lifting a %s block is FORBIDDEN; the block stays, unaudited", async (rule) => {
    const id = blocks[rule];
    expect((await support.gql(BLOCK, { id })).data.block).toEqual({ id, rule, active: true, liftNeedsAdmin: true });
    const r = await support.gql(LIFT, { id, reason: "customer says it is really them" });
    expect(errorCode(r)).toBe("FORBIDDEN");
    expect(r.data?.liftBlock).toBeUndefined();
    expect(await row(id)).toEqual({ lifted_at: null, lifted_by: null, lift_reason: null });
    expect(await lifts(id)).toEqual([]);
    expect((await support.gql(BLOCK, { id })).data.block.active).toBe(true);
  });

  it("a pumping block SUPPORT tried to lift still refuses the prefix", async () => {
    expect(errorCode(await requestOtp(gw, pump.key, "+14155550104"))).toBe("RATE_LIMITED");
  });

  it.each(guarded)("ADMIN lifts a %s block, audited with the reason", async (rule) => {
    const id = blocks[rule];
    const r = await admin.gql(LIFT, { id, reason: `checked: ${rule} was a false alarm` });
    expect(r.errors).toBeUndefined();
    expect(r.data.liftBlock).toMatchObject({ id, active: false, liftedBy: "lead@example.com", liftReason: `checked: ${rule} was a false alarm` });
    expect(await lifts(id)).toEqual([{ actor_email: "lead@example.com", actor_role: "ADMIN", reason: `checked: ${rule} was a false alarm` }]);
  });

  it("SUPPORT still lifts an everyday limit (sends_per_destination), audited, and the customer sends again", async () => {
    const once = await gw.createApp({ name: "Once", maxSends: 1 });
    await ok(once.key, "+14155550401");
    await limited(once.key, "+14155550401");
    const [block] = await blocksOf(gw, once.id, "sends_per_destination");
    expect((await support.gql(BLOCK, { id: block.id })).data.block).toMatchObject({ liftNeedsAdmin: false });
    const r = await support.gql(LIFT, { id: block.id, reason: "customer verified by phone" });
    expect(r.data.liftBlock).toMatchObject({ active: false, liftedBy: "agent@example.com" });
    expect(await lifts(block.id)).toEqual([{ actor_email: "agent@example.com", actor_role: "SUPPORT", reason: "customer verified by phone" }]);
    await ok(once.key, "+14155550401");
  });
});
