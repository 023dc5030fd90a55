import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError, type OutboundMessage, type Provider } from "../../server/src/providers/provider";
import { Channel } from "../../server/src/verification/enums";
import { AdminClient, createStaff } from "../helpers/admin";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { CANCEL_OTP, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { FAST_RETRY } from "../helpers/vendors";
import { collect, wsClient } from "../helpers/ws-client";

/** A vendor stand-in whose verdict depends on the number: "...0" refuses it for good, anything else is accepted. Keeps what it was asked to send. */
function vendor(name: string, channel: Channel): Provider & { sent: OutboundMessage[] } {
  const sent: OutboundMessage[] = [];
  return {
    name, channels: [channel], sent,
    send: async (m) => {
      sent.push(m);
      if (m.to.endsWith("0")) throw new ProviderError("permanent", "21211", "The destination refused the message");
      return { providerMessageId: `${name}-${sent.length}` };
    },
  };
}

const SUBSCRIPTION = `subscription($id: ID!) { deliveryStatus(verificationId: $id) { verificationId verificationStatus delivery { id channel status errorCode } } }`;

/**
 * Contract "Verification status FAILED": when every delivery failed permanently and no
 * fallback is left, the verification is FAILED — its code stops working, verifyOtp answers
 * FAILED without spending an attempt, subscribers and the admin timeline see it. And (issue 11)
 * no code rests in plain text, and the hash and cipher are wiped whenever a verification leaves PENDING.
 */
describe("verification status FAILED", () => {
  let gw: TestGateway;
  let admin: AdminClient;
  const sms = vendor("refusing-sms", Channel.SMS);
  const voice = vendor("refusing-voice", Channel.VOICE);
  let plain: { id: string; key: string };
  let withFallback: { id: string; key: string };
  const stored = async (id: string) => (await gw.app.db.ds.query(`SELECT * FROM verifications WHERE id = $1`, [id]))[0];
  const request = (key: string, destination: string) => gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "SMS" } });
  const codeSentTo = (p: { sent: OutboundMessage[] }, to: string) => eventually(() => {
    const m = p.sent.find((s) => s.to === to);
    return m ? extractCode(m.text) : undefined;
  }, `a message to ${to}`);

  beforeAll(async () => {
    gw = await startGateway({ providers: [sms, voice], retry: FAST_RETRY });
    plain = await gw.createApp({ name: "No fallback" });
    withFallback = await gw.createApp({ name: "Voice fallback", settings: { fallbackChannel: "VOICE" } });
    await createStaff(gw, "failed-admin@example.com", "ADMIN");
    admin = await AdminClient.signedIn(gw.url, "failed-admin@example.com");
    // An endpoint listening for verification.failed, so that the event is queued (nobody answers on port 9).
    const hook = await admin.gql(`mutation($a: ID!) { addWebhookEndpoint(appId: $a, url: "http://127.0.0.1:9/hook") { endpoint { id } } }`, { a: plain.id });
    expect(hook.errors).toBeUndefined();
  });
  afterAll(() => gw?.stop());

  it("a destination refused for good, with no fallback: FAILED; the code stops working and verifyOtp spends no attempt", async () => {
    const to = "+14155550810";
    const ws = wsClient(gw.url, plain.key);
    const r = await request(plain.key, to);
    const id = r.data.requestOtp.id;
    const sub = collect(ws, SUBSCRIPTION, { id });
    const code = await codeSentTo(sms, to);
    await eventually(async () => ((await stored(id)).status === "FAILED" ? true : undefined), "the verification to fail");

    const row = await stored(id);
    expect(row.code_hash).toBeNull();
    expect(row.code_cipher).toBeNull();
    expect(row.completed_at).not.toBeNull();
    for (const guess of [code, "000000"]) {
      const v = await gql(gw.url, plain.key, VERIFY_OTP, { input: { verificationId: id, code: guess } });
      expect(v.data.verifyOtp).toEqual({ status: "FAILED", attemptsRemaining: 5, token: null });
    }
    expect((await stored(id)).failed_attempts).toBe(0);
    // By destination there is no pending verification any more.
    expect((await gql(gw.url, plain.key, VERIFY_OTP, { input: { destination: to, code } })).errors?.[0].extensions?.code).toBe("NOT_FOUND");

    // The subscriber saw the delivery fail and, with it, the verification.
    await eventually(() => (sub.results.some((x) => x.data?.deliveryStatus.verificationStatus === "FAILED") ? true : undefined), "FAILED on the subscription");
    const last = sub.results.at(-1)!.data!.deliveryStatus;
    expect(last).toMatchObject({ verificationId: id, verificationStatus: "FAILED", delivery: { status: "FAILED", errorCode: "21211" } });
    sub.unsubscribe();
    // A new subscriber's snapshot says so at once.
    const late = collect(ws, SUBSCRIPTION, { id });
    await eventually(() => (late.results.length ? true : undefined), "the snapshot");
    expect(late.results[0].data!.deliveryStatus.verificationStatus).toBe("FAILED");
    late.unsubscribe();
    await ws.dispose();

    // The timeline has the outcome (the verify attempts made after it follow it); the webhook outbox has the event.
    const t = await admin.gql(`query($id: ID!) { verification(id: $id) { status timeline { kind status summary } } }`, { id });
    expect(t.data.verification.status).toBe("FAILED");
    expect(t.data.verification.timeline.filter((e: any) => e.kind === "OUTCOME")).toEqual([{ kind: "OUTCOME", status: "FAILED", summary: "Failed: no message could be delivered" }]);
    const [event] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM webhook_events WHERE verification_id = $1 AND type = 'verification.failed'`, [id]);
    expect(event.n).toBe(1);
  });

  it("stays PENDING while a fallback is due, and fails only when the fallback fails too", async () => {
    const reachable = "+14155550811"; // SMS reaches it: no fallback, no failure
    const r1 = await request(withFallback.key, reachable);
    await codeSentTo(sms, reachable);
    expect((await stored(r1.data.requestOtp.id)).status).toBe("PENDING");

    const refused = "+14155550820"; // both channels refuse it
    const r2 = await request(withFallback.key, refused);
    const id = r2.data.requestOtp.id;
    await eventually(() => (voice.sent.some((m) => m.to === refused) ? true : undefined), "the voice fallback to be tried");
    await eventually(async () => ((await stored(id)).status === "FAILED" ? true : undefined), "the verification to fail after its fallback");
    const deliveries = await gw.app.db.ds.query(`SELECT channel, status FROM deliveries WHERE verification_id = $1 ORDER BY created_at`, [id]);
    expect(deliveries).toEqual([{ channel: "SMS", status: "FAILED" }, { channel: "VOICE", status: "FAILED" }]);
  });

  it("a fallback is a paid send: charged through the send limits, refused past them (recorded as a block), and then the verification fails", async () => {
    const tight = await gw.createApp({ name: "Tight fallback", maxSends: 1, settings: { fallbackChannel: "VOICE" } });
    const to = "+14155550840"; // SMS refuses it; the request spent the destination's one send
    const id = (await request(tight.key, to)).data.requestOtp.id;
    await eventually(async () => ((await stored(id)).status === "FAILED" ? true : undefined), "the verification to fail");
    expect(voice.sent.filter((m) => m.to === to)).toEqual([]);
    expect(await gw.app.db.ds.query(`SELECT channel, status FROM deliveries WHERE verification_id = $1`, [id])).toEqual([{ channel: "SMS", status: "FAILED" }]);
    const blocks = await gw.app.db.ds.query(`SELECT rule FROM rate_limit_blocks WHERE app_id = $1`, [tight.id]);
    expect(blocks.map((b: { rule: string }) => b.rule)).toEqual(["sends_per_destination"]);
  });

  it("no code rests in plain text, and hash and cipher are wiped on every way out of PENDING", async () => {
    const outcomes: Record<string, string> = {};
    // APPROVED
    const a = (await request(plain.key, "+14155550831")).data.requestOtp.id;
    const code = await codeSentTo(sms, "+14155550831");
    const row = await stored(a);
    const text = JSON.stringify(row, (_k, v) => (v && v.type === "Buffer" ? Buffer.from(v.data).toString("latin1") : v));
    expect(text).not.toContain(code);
    expect(Buffer.from(row.code_hash).toString("latin1")).not.toContain(code);
    expect(Buffer.from(row.code_cipher).toString("latin1")).not.toContain(code);
    expect(row.code_hash).toHaveLength(32);
    expect((await gql(gw.url, plain.key, VERIFY_OTP, { input: { verificationId: a, code } })).data.verifyOtp.status).toBe("APPROVED");
    outcomes[a] = "APPROVED";
    // CANCELED
    const c = (await request(plain.key, "+14155550832")).data.requestOtp.id;
    await gql(gw.url, plain.key, CANCEL_OTP, { id: c });
    outcomes[c] = "CANCELED";
    // MAX_ATTEMPTS_REACHED
    const m = (await request(plain.key, "+14155550833")).data.requestOtp.id;
    const right = await codeSentTo(sms, "+14155550833");
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) await gql(gw.url, plain.key, VERIFY_OTP, { input: { verificationId: m, code: wrong } });
    outcomes[m] = "MAX_ATTEMPTS_REACHED";
    // EXPIRED (its time passes; the next verify or the sweeper closes it)
    const e = (await request(plain.key, "+14155550834")).data.requestOtp.id;
    await codeSentTo(sms, "+14155550834");
    await gw.app.db.ds.query(`UPDATE verifications SET expires_at = now() - interval '1 second' WHERE id = $1`, [e]);
    expect((await gql(gw.url, plain.key, VERIFY_OTP, { input: { verificationId: e, code: "123456" } })).data.verifyOtp.status).toBe("EXPIRED");
    outcomes[e] = "EXPIRED";
    // FAILED
    const f = (await request(plain.key, "+14155550830")).data.requestOtp.id;
    await eventually(async () => ((await stored(f)).status === "FAILED" ? true : undefined), "the verification to fail");
    outcomes[f] = "FAILED";

    for (const [id, status] of Object.entries(outcomes)) {
      const r = await stored(id);
      expect({ status: r.status, hash: r.code_hash, cipher: r.code_cipher }, status).toEqual({ status, hash: null, cipher: null });
    }
  });
});
