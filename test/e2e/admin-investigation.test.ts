import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwilioFake } from "../fakes/twilio-fake";
import { AdminClient, AUDIT, BLOCKS, LIFT, PROVIDERS, REVEAL, SEARCH, TIMELINE, createStaff } from "../helpers/admin";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

const SID = "AC00000000000000000000000000000005";
const TOKEN = "twilio-admin-test-token-0123456789";

/**
 * A support agent's investigation through the admin API: find the customer's verification by
 * the number as they dictate it, read why it failed in its timeline, reveal the number with a
 * reason, lift the block that keeps them out — all with codes nowhere in sight.
 */
describe("admin investigation", () => {
  let twilio: TwilioFake;
  let gw: TestGateway;
  let shop: { id: string; key: string };
  let support: AdminClient;
  let admin: AdminClient;
  let failedId: string;

  const request = (destination: string) => gql(gw.url, shop.key, REQUEST_OTP, { input: { destination, channel: "SMS", purpose: "login", clientIp: "192.0.2.44" } });
  const ask = (c: AdminClient, query: string, variables?: Record<string, unknown>) => c.gql(query, variables);
  const deliveryStatus = async (id: string) => (await gql(gw.url, shop.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];

  beforeAll(async () => {
    twilio = await TwilioFake.start({ accountSid: SID, authToken: TOKEN });
    gw = await startGateway({ env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url } });
    shop = await gw.createApp({ name: "Shop", maxSends: 2 });
    await createStaff(gw, "agent@example.com", "SUPPORT");
    await createStaff(gw, "lead@example.com", "ADMIN");
    support = await AdminClient.signedIn(gw.url, "agent@example.com");
    admin = await AdminClient.signedIn(gw.url, "lead@example.com");

    // One that Twilio refuses (21211), and one that goes through.
    twilio.failNext(1, { status: 400, code: 21211 });
    failedId = (await request("+1 415 555 0123")).data.requestOtp.id;
    await eventually(async () => ((await deliveryStatus(failedId)).status === "FAILED" ? true : undefined), "the refused delivery to fail", 15_000);
    const okId = (await request("+14155550124")).data.requestOtp.id;
    await twilio.waitForMessage((m) => m.to === "+14155550124");
    await eventually(async () => (["SENT", "DELIVERED"].includes((await deliveryStatus(okId)).status) ? true : undefined), "the good delivery to be sent", 15_000);
  });
  afterAll(async () => {
    await gw?.stop();
    await twilio?.stop();
  });

  it.each(["+1 415-555-0123", "001 415 555 0123", "+1.415.555.0123", "+1 (415) 555-0123"])("finds the customer's verification typed as %s", async (typed) => {
    const r = await ask(support, SEARCH, { filter: { q: typed } });
    expect(r.data.verifications.total).toBe(1);
    expect(r.data.verifications.data[0]).toMatchObject({
      id: failedId, appName: "Shop", destination: "+1******0123", destinationMasked: true, country: "US",
      lastProvider: "twilio", lastDeliveryStatus: "FAILED", lastErrorCode: "21211",
    });
  });

  it("ADMIN sees the whole number; SUPPORT never does in lists", async () => {
    const r = await ask(admin, SEARCH, { filter: { q: "+14155550123" } });
    expect(r.data.verifications.data[0]).toMatchObject({ destination: "+14155550123", destinationMasked: false });
    const all = await ask(support, SEARCH, {});
    expect(JSON.stringify(all.data)).not.toMatch(/\+1415555\d{4}/);
  });

  it("filters by app, status, channel, country and time, and pages and sorts like react-admin", async () => {
    // Its own app and two verifications, so that other tests' traffic doesn't change the counts.
    const own = await gw.createApp({ name: "Filters" });
    const first = (await gql(gw.url, own.key, REQUEST_OTP, { input: { destination: "+14155550161", channel: "SMS" } })).data.requestOtp.id;
    await gql(gw.url, own.key, REQUEST_OTP, { input: { destination: "+14155550162", channel: "SMS" } });
    const n = async (filter: Record<string, unknown>) => (await ask(support, SEARCH, { filter: { appId: own.id, ...filter } })).data.verifications.total;
    expect(await n({})).toBe(2);
    expect(await n({ appId: crypto.randomUUID() })).toBe(0);
    expect(await n({ channel: "SMS", country: "us" })).toBe(2);
    expect(await n({ channel: "EMAIL" })).toBe(0);
    expect(await n({ country: "GB" })).toBe(0);
    expect(await n({ status: "PENDING" })).toBe(2);
    expect(await n({ status: "APPROVED" })).toBe(0);
    expect(await n({ from: new Date(Date.now() + 60_000).toISOString() })).toBe(0);
    expect(await n({ to: new Date(Date.now() + 60_000).toISOString(), from: new Date(Date.now() - 600_000).toISOString() })).toBe(2);
    const page = await ask(support, SEARCH, { filter: { appId: own.id }, page: 2, perPage: 1, sortField: "createdAt", sortOrder: "ASC" });
    expect(page.data.verifications).toMatchObject({ total: 2 });
    expect(page.data.verifications.data).toHaveLength(1);
    expect(page.data.verifications.data[0].id).not.toBe(first);
  });

  it("refuses a search it can't read, with the field", async () => {
    for (const q of ["hello", "12", "someone@"]) {
      const r = await ask(support, SEARCH, { filter: { q } });
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0].extensions!.field).toBe("q");
    }
  });

  it("the timeline tells the story in order, with the vendor's error explained", async () => {
    const r = await ask(support, TIMELINE, { id: failedId });
    const t = r.data.verification.timeline as Array<Record<string, any>>;
    const times = t.map((e) => new Date(e.at).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(t[0]).toMatchObject({ kind: "REQUEST", channel: "SMS", destination: "+1******0123", ip: "192.0.2.*" }); // SUPPORT's view: IP masked
    expect(t[0].summary).toContain("Shop requested an SMS code for \"login\"");
    const attempt = t.find((e) => e.kind === "DELIVERY_ATTEMPT");
    expect(attempt).toMatchObject({ provider: "twilio", status: "FAILED", errorCode: "21211", channel: "SMS" });
    expect(attempt!.errorExplanation).toMatch(/not a valid phone number/);
    expect(attempt!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(attempt!.summary).toMatch(/SMS hand-off to twilio: failed .*error 21211/);
    expect(t.some((e) => e.kind === "DELIVERY_STATUS" && e.status === "FAILED" && e.errorCode === "21211")).toBe(true);
    expect(t.indexOf(attempt!)).toBeGreaterThan(0);
  });

  it("the timeline of a delivered code shows the provider's message id, and verify attempts with their IP", async () => {
    const id = (await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: "+14155550126", channel: "SMS", clientIp: "192.0.2.45" } })).data.requestOtp.id;
    const sms = await twilio.waitForMessage((m) => m.to === "+14155550126");
    const code = extractCode(sms.body!);
    const wrong = code === "000000" ? "111111" : "000000";
    await gql(gw.url, shop.key, `mutation($i: VerifyOtpInput!) { verifyOtp(input: $i) { status } }`, { i: { verificationId: id, code: wrong, clientIp: "203.0.113.9" } });
    // The IP recorded is the clientIp the backend states (the contract's per-IP rules key on nothing else).
    await gql(gw.url, shop.key, `mutation($i: VerifyOtpInput!) { verifyOtp(input: $i) { status } }`, { i: { verificationId: id, code, clientIp: "192.0.2.45" } });
    const t = (await eventually(async () => {
      const r = await ask(admin, TIMELINE, { id });
      const tl = r.data.verification.timeline as Array<Record<string, any>>;
      return tl.some((e) => e.kind === "DELIVERY_ATTEMPT" && e.status === "SENT") ? tl : undefined;
    }, "the attempt to be recorded", 15_000)) as Array<Record<string, any>>;
    expect(t.find((e) => e.kind === "DELIVERY_ATTEMPT")).toMatchObject({ provider: "twilio", status: "SENT", messageId: sms.sid });
    const verifies = t.filter((e) => e.kind === "VERIFY_ATTEMPT");
    expect(verifies.map((e) => e.status)).toEqual(["WRONG_CODE", "APPROVED"]);
    expect(verifies.every((e) => typeof e.ip === "string" && e.ip.length > 0)).toBe(true);
    const outcome = t.findIndex((e) => e.kind === "OUTCOME");
    expect(t[outcome]).toMatchObject({ status: "APPROVED" });
    expect(outcome).toBeGreaterThan(t.findIndex((e) => e.kind === "VERIFY_ATTEMPT" && e.status === "APPROVED"));
    expect(t[0].destination).toBe("+14155550126"); // ADMIN's view
  });

  it("revealing a number takes a reason and is audited; without one nothing is revealed or logged", async () => {
    const revealId = (await request("+14155550163")).data.requestOtp.id;
    const auditRows = async () => (await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'verification.reveal_destination' AND target_id = $1`, [revealId]))[0].n;
    const none = await ask(support, REVEAL, { id: revealId, reason: "  " });
    expect(errorCode(none)).toBe("BAD_USER_INPUT");
    expect(none.data?.revealDestination).toBeUndefined();
    expect(await auditRows()).toBe(0);
    const r = await ask(support, REVEAL, { id: revealId, reason: "Customer on the phone, ticket #4411" });
    expect(r.data.revealDestination).toEqual({ verificationId: revealId, destination: "+14155550163" });
    const log = await ask(admin, AUDIT, { filter: { action: "verification.reveal_destination", targetId: revealId } });
    expect(log.data.auditLog.data).toEqual([
      expect.objectContaining({ actorEmail: "agent@example.com", actorRole: "SUPPORT", targetType: "verification", targetId: revealId, reason: "Customer on the phone, ticket #4411" }),
    ]);
    expect(errorCode(await ask(support, REVEAL, { id: crypto.randomUUID(), reason: "typo in the id" }))).toBe("NOT_FOUND");
  });

  it("a rate-limit block shows up by destination and in the timeline, and lifting it (audited) lets the customer in", async () => {
    await request("+14155550125");
    // The second request supersedes the first; the refusal belongs to its (still current) story.
    const currentId = (await request("+14155550125")).data.requestOtp.id;
    const refused = await request("+1 (415) 555-0125");
    expect(errorCode(refused)).toBe("RATE_LIMITED");

    const found = await ask(support, BLOCKS, { filter: { q: "001 415 555 0125", active: true } });
    expect(found.data.blocks.total).toBe(1);
    const block = found.data.blocks.data[0];
    expect(block).toMatchObject({ rule: "sends_per_destination", key: "+1******0125", limit: 2, active: true, liftedAt: null });
    expect(JSON.stringify(found)).not.toContain("4155550125");

    const timeline = (await ask(support, TIMELINE, { id: currentId })).data.verification.timeline as Array<Record<string, any>>;
    expect(timeline.find((e) => e.kind === "RATE_LIMIT")).toMatchObject({ rule: "sends_per_destination", blockId: block.id, limit: 2 });

    expect(errorCode(await ask(support, LIFT, { id: block.id, reason: "" }))).toBe("BAD_USER_INPUT");
    expect((await ask(support, BLOCKS, { filter: { active: true } })).data.blocks.total).toBe(1);
    const lifted = await ask(support, LIFT, { id: block.id, reason: "Verified the customer's identity by phone" });
    expect(lifted.data.liftBlock).toMatchObject({ active: false, liftedBy: "agent@example.com", liftReason: "Verified the customer's identity by phone" });
    expect(errorCode(await ask(support, LIFT, { id: block.id, reason: "again" }))).toBe("BAD_USER_INPUT");

    expect((await request("+14155550125")).data?.requestOtp.id).toBeTruthy();
    const [entry] = (await ask(admin, AUDIT, { filter: { action: "block.lift", targetId: block.id } })).data.auditLog.data;
    expect(entry).toMatchObject({ actorEmail: "agent@example.com", targetId: block.id, reason: "Verified the customer's identity by phone" });
    expect(JSON.parse(entry.before)).toMatchObject({ active: true, liftedAt: null });
    expect(JSON.parse(entry.after)).toMatchObject({ active: false, liftedBy: "agent@example.com" });
    expect(`${entry.before}${entry.after}`).not.toContain("4155550125");
  });

  it("the providers page reports the failure rate of the stored attempts, with the top error codes explained", async () => {
    // A refusal of its own (21614: not a mobile number), next to whatever else was sent. Earlier
    // sends are handed off first, so none of them can take the scripted failure.
    await eventually(async () => ((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE status IN ('QUEUED', 'SENDING')`))[0].n === 0 ? true : undefined), "earlier deliveries handed off", 15_000);
    twilio.failNext(1, { status: 400, code: 21614 });
    const id = (await request("+14155550164")).data.requestOtp.id;
    await eventually(async () => ((await deliveryStatus(id)).status === "FAILED" ? true : undefined), "the refused delivery to fail", 15_000);
    await eventually(async () => ((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE status IN ('QUEUED', 'SENDING')`))[0].n === 0 ? true : undefined), "every delivery handed off", 15_000);
    const r = await ask(support, PROVIDERS);
    const [counts] = await gw.app.db.ds.query(`SELECT count(*)::int AS attempts, count(*) FILTER (WHERE outcome <> 'SENT')::int AS failed,
      count(*) FILTER (WHERE error_code = '21614')::int AS refused FROM delivery_attempts WHERE provider = 'twilio'`);
    const sms = r.data.providers.data.find((p: any) => p.id === "twilio:SMS");
    expect(sms).toMatchObject({ provider: "twilio", channel: "SMS", position: 0 });
    expect(sms.breakerState).toBe("closed"); // permanent refusals don't open Twilio's circuit
    expect(sms.hour.attempts).toBe(counts.attempts);
    expect(sms.hour.failed).toBeGreaterThanOrEqual(counts.failed);
    expect(sms.hour.failureRate).toBeCloseTo(sms.hour.failed / sms.hour.attempts, 6);
    expect(sms.week).toMatchObject({ attempts: counts.attempts });
    expect(sms.hour.latencyP50Ms).toBeGreaterThanOrEqual(0);
    expect(sms.hour.latencyP95Ms).toBeGreaterThanOrEqual(sms.hour.latencyP50Ms);
    const refused = sms.topErrors.find((e: any) => e.code === "21614");
    expect(refused).toMatchObject({ code: "21614", count: counts.refused });
    expect(refused.explanation).toMatch(/mobile/i);
  });

  it("the delivery log lists every attempt, filtered by provider, outcome, error code and country", async () => {
    const q = `query($f: DeliveryLogFilter) { deliveryAttempts(filter: $f, perPage: 50) { total data { provider channel outcome errorCode errorExplanation destination country verificationId appName latencyMs } } }`;
    const all = await ask(support, q, { f: { provider: "twilio" } });
    expect(all.data.deliveryAttempts.total).toBe((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM delivery_attempts`))[0].n);
    const bad = await ask(support, q, { f: { errorCode: "21211" } });
    expect(bad.data.deliveryAttempts.data).toEqual([
      expect.objectContaining({ provider: "twilio", channel: "SMS", outcome: "FAILED", errorCode: "21211", destination: "+1******0123", country: "US", verificationId: failedId, appName: "Shop" }),
    ]);
    expect((await ask(support, q, { f: { outcome: "FAILED", country: "GB" } })).data.deliveryAttempts.total).toBe(0);
  });

  it("the dashboard's aggregates match the stored rows", async () => {
    const r = await ask(support, `{ dashboard(days: 1) { unit totals { requested approved attempts failed activeBlocks conversionRate }
      sends { bucket requested approved attempts failed } blocks { blocks } countries { country requested } providerFailures { provider attempts failed } } }`);
    const d = r.data.dashboard;
    const [counts] = await gw.app.db.ds.query(`SELECT (SELECT count(*)::int FROM verifications) AS v, (SELECT count(*)::int FROM verifications WHERE status = 'APPROVED') AS a,
      (SELECT count(*)::int FROM delivery_attempts) AS att, (SELECT count(*)::int FROM rate_limit_blocks) AS b`);
    expect(d.unit).toBe("HOUR");
    expect(d.totals).toMatchObject({ requested: counts.v, approved: counts.a, attempts: counts.att });
    expect(d.totals.conversionRate).toBeCloseTo(counts.a / counts.v, 6);
    expect(d.sends.reduce((n: number, p: any) => n + p.requested, 0)).toBe(counts.v);
    expect(d.sends.length).toBeGreaterThanOrEqual(24);
    expect(d.blocks.reduce((n: number, p: any) => n + p.blocks, 0)).toBe(counts.b);
    expect(d.countries).toEqual([{ country: "US", requested: counts.v }]);
    expect(d.providerFailures.reduce((n: number, p: any) => n + p.failed, 0)).toBeGreaterThanOrEqual(1);
    expect(errorCode(await ask(support, `{ dashboard(days: 0) { unit } }`))).toBe("BAD_USER_INPUT");
  });

  it("streams delivery changes live over graphql-ws with the session cookie, and refuses the upgrade without one", async () => {
    const ws = support.ws();
    const seen: any[] = [];
    const stop = ws.subscribe({ query: `subscription { deliveryLog { verificationId provider status errorCode } }` }, {
      next: (v) => void seen.push(v), error: (e) => void seen.push({ error: e }), complete: () => undefined,
    });
    // graphql-ws acknowledges no subscribe: the subscription is live once the server has checked the
    // session and listens, which a loaded machine may take long to do. So rather than sleeping a
    // fixed time first, request until one request's delivery is seen live up to SENT (each try its own number).
    let tries = 0;
    const events = await eventually(async () => {
      const to = tries === 0 ? "+14155550127" : `+141555501${70 + tries}`;
      tries++;
      const id = (await request(to)).data.requestOtp.id;
      await twilio.waitForMessage((m) => m.to === to, 15_000);
      const mine = () => seen.filter((v) => v.data?.deliveryLog?.verificationId === id).map((v) => v.data.deliveryLog.status);
      return eventually(() => (mine().includes("SENT") ? mine() : undefined), "SENT live", 3000).catch(() => undefined);
    }, "live events for a new delivery", 45_000);
    expect(events).toContain("SENT");
    stop();
    await ws.dispose();

    const anonymous = new AdminClient(gw.url).ws();
    const failure = await new Promise<any>((resolve) => {
      anonymous.subscribe({ query: `subscription { deliveryLog { status } }` }, { next: () => resolve("next"), error: (e) => resolve(e), complete: () => resolve("complete") });
    });
    expect(failure).not.toBe("next");
    expect(anonymous.upgradeErrors).toEqual(["401"]);
    await anonymous.dispose();
  });

  it("no admin API answer carries a code, for either role, anywhere a verification shows", async () => {
    const id = (await request("+14155550165")).data.requestOtp.id;
    const code = extractCode((await twilio.waitForMessage((m) => m.to === "+14155550165")).body!);
    await eventually(async () => ((await deliveryStatus(id)).status !== "SENDING" && (await deliveryStatus(id)).status !== "QUEUED" ? true : undefined), "the hand-off", 15_000);
    const seen: string[] = [];
    for (const c of [support, admin]) {
      for (const [q, v] of [
        [TIMELINE, { id }], [SEARCH, { filter: { q: "+1 415 555 0165" } }], [SEARCH, {}],
        [`query($f: DeliveryLogFilter) { deliveryAttempts(filter: $f) { data { errorMessage messageId destination } } }`, { f: { verificationId: id } }],
        [`{ dashboard(days: 1) { totals { requested } } }`, {}],
      ] as const) seen.push(JSON.stringify(await c.gql(q, v)));
    }
    const all = seen.join("\n");
    expect(all).toContain(id);
    expect(all).not.toContain(code);
    expect(all).not.toMatch(/code_?hash|code_?cipher/i);
  });
});
