import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError, type Provider } from "../../server/src/providers/provider";
import { Channel } from "../../server/src/verification/enums";
import { requestOtp, resendOtp, verifyOtp } from "../helpers/abuse";
import { codeFromOutboxTable, eventually } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, errorCode, gql } from "../helpers/graphql-client";

const PRODUCTION = { NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com" };
const FAST_RETRY = { attemptsPerProvider: 2, baseDelayMs: 20, maxDelayMs: 100 };

/** Rows a refused request or resend must not have left behind, once the worker has sent what was accepted before. */
async function footprint(gw: TestGateway) {
  await eventually(async () => {
    const [busy] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE status NOT IN ('SENT', 'DELIVERED', 'FAILED', 'UNDELIVERED')`);
    return busy.n === 0 ? true : undefined;
  }, "the worker to send what was accepted", 15_000);
  const [row] = await gw.app.db.ds.query(
    `SELECT (SELECT count(*)::int FROM verifications) AS verifications, (SELECT count(*)::int FROM deliveries) AS deliveries,
            (SELECT count(*)::int FROM delivery_events) AS events, (SELECT count(*)::int FROM outbox_messages) AS outbox`,
  );
  return row;
}

/**
 * Production rules: a channel no vendor carries is not offered (FORBIDDEN, reason
 * CHANNEL_UNAVAILABLE, nothing stored): no silent outbox stands in for it unless
 * OUTBOX_IN_PRODUCTION=true.
 */
describe("production: a channel without a vendor", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };
  const smsOnly: Provider = { name: "quiet", channels: [Channel.SMS], send: async (m) => ({ providerMessageId: `q-${m.deliveryId}` }) };

  beforeAll(async () => {
    gw = await startGateway({ env: PRODUCTION, providers: [smsOnly] });
    app = await gw.createApp({ name: "Shop", resendCooldownSeconds: 0, maxSends: 50 });
  });
  afterAll(() => gw?.stop());

  it("requestOtp on it is FORBIDDEN with reason CHANNEL_UNAVAILABLE, and nothing is stored", async () => {
    const before = await footprint(gw);
    for (const [destination, channel] of [["ana@example.com", "EMAIL"], ["+14155550161", "WHATSAPP"], ["+14155550162", "VOICE"], ["+14155550163", "TELEGRAM"], ["+14155550165", "RCS"]]) {
      const r = await requestOtp(gw, app.key, destination, { channel });
      expect(errorCode(r), channel).toBe("FORBIDDEN");
      expect(r.errors![0].extensions!.reason).toBe("CHANNEL_UNAVAILABLE");
      expect(r.errors![0].message).toMatch(new RegExp(channel));
      expect(r.data?.requestOtp ?? null).toBeNull();
    }
    expect(await footprint(gw)).toEqual(before);
    // The channel that has a vendor works.
    expect((await requestOtp(gw, app.key, "+14155550163")).data.requestOtp.deliveries[0].provider).toBe("quiet");
  });

  it("resendOtp switching to it is refused the same way; the verification stays as it was", async () => {
    const v = (await requestOtp(gw, app.key, "+14155550164")).data.requestOtp;
    const row = async () => (await gw.app.db.ds.query(`SELECT channel, send_count, code_hash, expires_at FROM verifications WHERE id = $1`, [v.id]))[0];
    const was = await row();
    const before = await footprint(gw);
    for (const channel of ["WHATSAPP", "VOICE"]) {
      const r = await resendOtp(gw, app.key, v.id, channel);
      expect(errorCode(r), channel).toBe("FORBIDDEN");
      expect(r.errors![0].extensions!.reason).toBe("CHANNEL_UNAVAILABLE");
    }
    expect(await row()).toEqual(was);
    expect(await footprint(gw)).toEqual(before);
    expect((await gql(gw.url, app.key, GET_VERIFICATION, { id: v.id })).data.verification).toMatchObject({ channel: "SMS", status: "PENDING" });
  });
});

/**
 * OUTBOX_IN_PRODUCTION=true: the outbox then stands in for every channel, but its messages are
 * read on the dashboard's audited outbox page only. No log line carries a code: not the outbox's,
 * not the worker's (a vendor that quotes the message back in its error), at any level.
 */
describe("production with OUTBOX_IN_PRODUCTION: no code in any log line", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };
  /** Fails every SMS, quoting what it was asked to send, as some vendors' errors do; the outbox is next in line. */
  const echo: Provider = {
    name: "http",
    channels: [Channel.SMS, Channel.VOICE],
    send: async (m) => {
      throw new ProviderError("transient", "HTTP_500", `vendor refused '${m.channel === Channel.VOICE ? m.voice?.script ?? m.text : m.text}'`);
    },
  };

  beforeAll(async () => {
    gw = await startGateway({
      env: { ...PRODUCTION, OUTBOX_IN_PRODUCTION: "true", LOG_LEVEL: "trace", SMS_PROVIDERS: "http,outbox", VOICE_PROVIDERS: "http,outbox" },
      providers: [echo],
      retry: FAST_RETRY,
    });
    app = await gw.createApp({ name: "Shop", resendCooldownSeconds: 0, maxSends: 50 });
  });
  afterAll(() => gw?.stop());

  it("a full request, failover, wrong guess, resend by voice and approval log every step, and never the code", async () => {
    const to = "+14155550171";
    const v = (await requestOtp(gw, app.key, to)).data.requestOtp;
    const first = await codeFromOutboxTable(gw.app.db.ds, to);
    expect((await verifyOtp(gw, app.key, { verificationId: v.id, code: first === "000000" ? "111111" : "000000" })).data.verifyOtp.status).toBe("PENDING");
    expect((await resendOtp(gw, app.key, v.id, "VOICE")).errors).toBeUndefined();
    const second = await codeFromOutboxTable(gw.app.db.ds, to, 1);
    expect((await verifyOtp(gw, app.key, { verificationId: v.id, code: second })).data.verifyOtp.status).toBe("APPROVED");

    // Every step was logged: the vendor's failures (from the worker) and the outbox's hand-offs.
    const lines = () => gw.logs.lines.map((l) => JSON.parse(l));
    const failures = await eventually(() => {
      const f = lines().filter((l) => l.msg === "delivery attempt failed");
      return f.length >= 4 ? f : undefined;
    }, "the vendor's failures in the log");
    expect(failures[0].error).toMatch(/vendor refused '.*\[code\]/);
    const stored = lines().filter((l) => l.outbox);
    expect(stored.map((l) => l.outbox.channel)).toEqual(["SMS", "VOICE"]);
    for (const l of stored) {
      expect(l.outbox).not.toHaveProperty("body");
      expect(l.outbox.to).toBe("+1******0171");
      expect(l.msg).toMatch(/not logged in production/);
    }
    // No line, whole, holds either code, written plainly or spelt out as the voice script has it.
    const spelt = (code: string) => new RegExp(`(?<![0-9A-Za-z])${code.split("").join("\\D{0,3}")}(?![0-9A-Za-z])`);
    for (const line of gw.logs.lines) {
      for (const code of [first, second]) expect(line, `a log line carries the code ${code}`).not.toMatch(spelt(code));
      expect(line).not.toContain(to);
    }
    // What the vendor said is stored without the code too (attempts are shown in the dashboard).
    const attempts = await gw.app.db.ds.query(`SELECT a.error_message FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 AND a.error_message IS NOT NULL`, [v.id]);
    expect(attempts.length).toBeGreaterThan(0);
    for (const a of attempts) for (const code of [first, second]) expect(a.error_message).not.toMatch(spelt(code));
  });
});
