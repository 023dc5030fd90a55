import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwilioFake } from "../fakes/twilio-fake";
import { AdminClient, AUDIT, BLOCKS, SEARCH, TIMELINE, createStaff } from "../helpers/admin";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { SmtpInbox } from "../helpers/smtp-inbox";
import { MAIL_FROM } from "../helpers/vendors";

const SID = "AC00000000000000000000000000000011";
const TOKEN = "twilio-privacy-test-token-0123456789";

/**
 * What a curious SUPPORT agent can learn about a customer: not a number they don't already have
 * (no suffix search, every search audited), not a client IP, not a destination quoted in a
 * vendor's error text. ADMIN sees numbers and IPs whole. Each test makes its own verifications.
 */
describe("admin privacy: SUPPORT can't unmask destinations", () => {
  let twilio: TwilioFake;
  let smtp: SmtpInbox;
  let gw: TestGateway;
  let shop: { id: string; key: string };
  let support: AdminClient;
  let admin: AdminClient;

  const request = (destination: string, extra: Record<string, unknown> = {}) =>
    gql(gw.url, shop.key, REQUEST_OTP, { input: { destination, channel: "SMS", ...extra } });
  const deliveryOf = async (id: string) => (await gql(gw.url, shop.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
  const failed = (id: string) => eventually(async () => ((await deliveryOf(id)).status === "FAILED" ? true : undefined), "the delivery to fail", 15_000);
  const auditRows = async (action: string, actor: string) =>
    gw.app.db.ds.query(`SELECT after FROM audit_log WHERE action = $1 AND actor_email = $2 ORDER BY id`, [action, actor]);

  beforeAll(async () => {
    twilio = await TwilioFake.start({ accountSid: SID, authToken: TOKEN });
    smtp = await SmtpInbox.start({ rejectRecipient: (a) => a.startsWith("nobody.here") });
    gw = await startGateway({
      env: {
        TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url,
        SMTP_URL: smtp.url(), MAIL_FROM, TRUST_PROXY: "127.0.0.1",
      },
    });
    shop = await gw.createApp({ name: "Shop" });
    await createStaff(gw, "agent@example.com", "SUPPORT");
    await createStaff(gw, "lead@example.com", "ADMIN");
    support = await AdminClient.signedIn(gw.url, "agent@example.com");
    admin = await AdminClient.signedIn(gw.url, "lead@example.com");
  });
  afterAll(async () => {
    await gw?.stop();
    await twilio?.stop();
    await smtp?.stop();
  });

  it("SUPPORT finds a verification by its whole number in any format (without its country code: the traffic's country); a part of one is refused", async () => {
    const id = (await request("+14155550131")).data.requestOtp.id;
    // The traffic is all US: "(415) 555-0131" is read as the whole number +14155550131.
    for (const typed of ["+1 415 555 0131", "001 (415) 555-0131", "+1.415.555.0131", "(415) 555-0131"]) {
      const r = await support.gql(SEARCH, { filter: { q: typed } });
      expect(r.data.verifications.data.map((v: any) => v.id)).toEqual([id]);
    }
    for (const typed of ["5550131", "555 0131", "15 555 0131"]) {
      const r = await support.gql(SEARCH, { filter: { q: typed } });
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0].extensions!.field).toBe("q");
      expect(r.data?.verifications).toBeUndefined();
    }
    // ADMIN, who sees numbers whole anyway, keeps the national-digits search.
    expect((await admin.gql(SEARCH, { filter: { q: "(415) 555-0131" } })).data.verifications.data.map((v: any) => v.id)).toEqual([id]);
  });

  it("SUPPORT can't narrow a suffix down to one verification with ids (the yes/no oracle)", async () => {
    const id = (await request("+14155550132")).data.requestOtp.id;
    // The probe that recovered a number digit by digit: "does verification X end with …0132?"
    // (The ten digits "4155550132" are the whole US number, as "+1 415 555 0132" is: no probe.)
    for (const q of ["0132", "50132", "550132", "5550132", "155550132"]) {
      const r = await support.gql(SEARCH, { filter: { ids: [id], q } });
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.data?.verifications).toBeUndefined();
    }
  });

  it("every destination search is audited before it answers, found or not, with what was searched and how many matched", async () => {
    await createStaff(gw, "curious@example.com", "SUPPORT");
    const curious = await AdminClient.signedIn(gw.url, "curious@example.com");
    await request("+14155550133");
    expect((await curious.gql(SEARCH, { filter: { q: "+1 415 555 0133" } })).data.verifications.total).toBe(1);
    expect((await curious.gql(SEARCH, { filter: { q: "+1 415 555 0199" } })).data.verifications.total).toBe(0);
    expect((await curious.gql(BLOCKS, { filter: { q: "+1 415 555 0133" } })).data.blocks.total).toBe(0);
    // A list without a search is no lookup of anyone: not audited.
    expect((await curious.gql(SEARCH, {})).errors).toBeUndefined();
    expect(await auditRows("verification.search", "curious@example.com")).toEqual([
      { after: { destination: "+14155550133", kind: "exact", matches: 1 } },
      { after: { destination: "+14155550199", kind: "exact", matches: 0 } },
    ]);
    expect(await auditRows("block.search", "curious@example.com")).toEqual([{ after: { destination: "+14155550133", kind: "exact", matches: 0 } }]);
    // ADMIN reads them in the audit log.
    const log = await admin.gql(AUDIT, { filter: { action: "verification.search", actor: "curious@example.com" } });
    expect(log.data.auditLog.total).toBe(2);
    expect(log.data.auditLog.data[0]).toMatchObject({ actorRole: "SUPPORT", targetType: "verification" });
  });

  it("client IPs are masked for SUPPORT (in the record, the timeline and its sentences) and whole for ADMIN", async () => {
    const v4 = (await request("+14155550134", { clientIp: "192.0.2.77" })).data.requestOtp.id;
    const sms = await twilio.waitForMessage((m) => m.to === "+14155550134");
    // The verify's IP is the clientIp the backend states (per-IP rules key on nothing else).
    await gql(gw.url, shop.key, VERIFY_OTP, { input: { verificationId: v4, code: extractCode(sms.body!), clientIp: "198.51.100.23" } });
    const v6 = (await request("+14155550136", { clientIp: "2001:db8:aa:bb:1:2:3:4" })).data.requestOtp.id;
    const fields = `clientIp timeline { kind ip summary }`;
    const q = `query($id: ID!) { verification(id: $id) { ${fields} } }`;

    const s4 = (await support.gql(q, { id: v4 })).data.verification;
    expect(s4.clientIp).toBe("192.0.2.*");
    expect(s4.timeline.find((e: any) => e.kind === "REQUEST")).toMatchObject({ ip: "192.0.2.*", summary: expect.stringContaining("client IP 192.0.2.*") });
    expect(s4.timeline.find((e: any) => e.kind === "VERIFY_ATTEMPT")).toMatchObject({ ip: "198.51.100.*", summary: expect.stringContaining("from 198.51.100.*") });
    expect(JSON.stringify(s4)).not.toMatch(/192\.0\.2\.77|198\.51\.100\.23/);
    const s6 = (await support.gql(q, { id: v6 })).data.verification;
    expect(s6.clientIp).toBe("2001:db8:aa:bb::/64");
    expect(JSON.stringify(s6)).not.toContain("1:2:3:4");
    const list = await support.gql(`{ verifications(perPage: 100) { data { clientIp } } }`);
    expect(JSON.stringify(list.data)).not.toMatch(/192\.0\.2\.77|2001:db8:aa:bb:1:2:3:4/);

    const a4 = (await admin.gql(q, { id: v4 })).data.verification;
    expect(a4.clientIp).toBe("192.0.2.77");
    expect(a4.timeline.find((e: any) => e.kind === "VERIFY_ATTEMPT").ip).toBe("198.51.100.23");
    expect((await admin.gql(q, { id: v6 })).data.verification.clientIp).toBe("2001:db8:aa:bb:1:2:3:4");
  });

  it("Twilio's 21211 text loses the number before it is stored, shown or logged", async () => {
    twilio.failNext(1, { status: 400, code: 21211, message: "The 'To' number +14155550135 is not a valid phone number." });
    const id = (await request("+14155550135")).data.requestOtp.id;
    await failed(id);
    const stored = await gw.app.db.ds.query(
      `SELECT a.error_message AS attempt, d.error_message AS delivery, (SELECT string_agg(e.error_message, ' ') FROM delivery_events e WHERE e.delivery_id = d.id) AS events
         FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id WHERE d.verification_id = $1`, [id]);
    expect(stored).toEqual([{
      attempt: "The 'To' number +1******0135 is not a valid phone number.",
      delivery: "The 'To' number +1******0135 is not a valid phone number.",
      events: expect.stringContaining("+1******0135"),
    }]);
    // SUPPORT's timeline (ADMIN's shows the destination itself on the REQUEST line, as it should).
    const shown = JSON.stringify((await support.gql(TIMELINE, { id })).data.verification.timeline);
    expect(JSON.stringify((await admin.gql(TIMELINE, { id })).data.verification.timeline)).toContain("error 21211: The 'To' number +1******0135 is not");
    expect(shown).toContain("The 'To' number +1******0135 is not a valid phone number.");
    for (const text of [JSON.stringify(stored), shown, gw.logs.text]) expect(text).not.toContain("4155550135");
    // The client app's view of the delivery carries the same scrubbed text.
    expect((await deliveryOf(id)).errorMessage).toBe("The 'To' number +1******0135 is not a valid phone number.");
  });

  it("an SMTP 550 quoting the address is scrubbed the same way", async () => {
    const r = await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: "nobody.here@example.com", channel: "EMAIL" } });
    const id = r.data.requestOtp.id;
    await failed(id);
    const [row] = await gw.app.db.ds.query(`SELECT error_code, error_message FROM deliveries WHERE verification_id = $1`, [id]);
    expect(row.error_code).toBe("550");
    expect(row.error_message).toContain("<n***@example.com>: Recipient address rejected");
    const everything = JSON.stringify(await gw.app.db.ds.query(`SELECT error_message FROM delivery_attempts UNION ALL SELECT error_message FROM delivery_events`));
    for (const text of [everything, gw.logs.text]) expect(text).not.toContain("nobody.here@");
  });
});
