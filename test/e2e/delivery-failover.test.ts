import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { FAST_RETRY, SLOW_BREAKER, startVendors, type Vendors } from "../helpers/vendors";

interface AttemptRow { provider: string; provider_message_id: string | null; outcome: string; error_code: string | null }

/**
 * Retries, failover and "nothing lost" with Twilio and Vonage both configured (SMS order:
 * Twilio, then Vonage), through the real SDKs. Retry timings are shortened; the circuit
 * breaker is set out of reach here so each test sees the retry policy alone.
 */
describe("delivery retries and failover", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    vendors = await startVendors({ only: ["twilio", "vonage"] });
    gw = await startGateway({ env: vendors.env, retry: FAST_RETRY, breaker: SLOW_BREAKER });
    // Codes nobody types back, by the dozen: the pumping guard (its own suites) is off here.
    app = await gw.createApp({ name: "Acme", maxSends: 50, settings: { limits: { pumping: { prefix: null, country: null, unproven: null, app: null } } } });
  });
  afterEach(() => {
    vendors.twilio.clear();
    vendors.vonage.clear();
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const request = async (to: string) => (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } })).data.requestOtp.id as string;
  const delivery = async (id: string) => (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
  const settled = (id: string, statuses = ["SENT", "DELIVERED"]) =>
    eventually(async () => {
      const d = await delivery(id);
      return statuses.includes(d.status) ? d : undefined;
    }, `verification ${id} to reach ${statuses.join("/")}`);
  const attempts = (id: string): Promise<AttemptRow[]> =>
    gw.app.db.ds.query(
      `SELECT a.provider, a.provider_message_id, a.outcome, a.error_code FROM delivery_attempts a
         JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id`,
      [id],
    );

  it("fails over from a Twilio outage (503) to Vonage after the retries; every attempt is a row", async () => {
    vendors.twilio.setOutage(true, 503);
    const id = await request("+14155550401");
    const d = await settled(id);
    expect(d.provider).toBe("vonage");
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "14155550401");
    const rows = await attempts(id);
    expect(rows.map((a) => [a.provider, a.outcome, a.error_code])).toEqual([
      ["twilio", "RETRY", "20503"], ["twilio", "RETRY", "20503"], ["twilio", "FAILOVER", "20503"], ["vonage", "SENT", null],
    ]);
    expect(rows[3].provider_message_id).toBe(sms.messageId);
    expect(vendors.twilio.requests).toBe(3);
    const [latency] = await gw.app.db.ds.query(
      `SELECT bool_and(latency_ms >= 0) AS ok FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1`, [id]);
    expect(latency.ok).toBe(true);
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.text!) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  });

  it("fails over at once when Twilio says this account can't send (auth error), without retrying", async () => {
    vendors.twilio.failNext(1, { status: 401, code: 20003 });
    const id = await request("+14155550402");
    expect((await settled(id)).provider).toBe("vonage");
    expect((await attempts(id)).map((a) => [a.provider, a.outcome, a.error_code])).toEqual([["twilio", "FAILOVER", "20003"], ["vonage", "SENT", null]]);
  });

  it("retries transient errors (500, 429) on the same provider, then succeeds there", async () => {
    vendors.twilio.failNext(1, { status: 500 });
    vendors.twilio.failNext(1, { status: 429 });
    const id = await request("+14155550403");
    expect((await settled(id)).provider).toBe("twilio");
    expect((await attempts(id)).map((a) => [a.provider, a.outcome, a.error_code])).toEqual([
      ["twilio", "RETRY", "20500"], ["twilio", "RETRY", "20429"], ["twilio", "SENT", null],
    ]);
    expect(vendors.vonage.requests).toBe(0);
    const [row] = await gw.app.db.ds.query(`SELECT attempts FROM deliveries WHERE verification_id = $1`, [id]);
    expect(row.attempts).toBe(3);
  });

  it("stops on a permanent error (21211): FAILED with Twilio's code, no retry, no failover", async () => {
    vendors.twilio.failNext(1, { status: 400, code: 21211 });
    const id = await request("+14155550404");
    const d = await settled(id, ["FAILED"]);
    expect(d).toMatchObject({ provider: "twilio", status: "FAILED", errorCode: "21211" });
    expect((await attempts(id)).map((a) => [a.provider, a.outcome, a.error_code])).toEqual([["twilio", "FAILED", "21211"]]);
    expect(vendors.vonage.requests).toBe(0);
  });

  it("loses nothing in a total outage: every message accepted meanwhile is delivered after recovery", async () => {
    vendors.twilio.setOutage(true, 503);
    vendors.vonage.setOutage(true, { httpStatus: 503 });
    const destinations = Array.from({ length: 8 }, (_, i) => `+1415555041${i}`);
    const ids = await Promise.all(destinations.map(request));
    // Every message has been through both vendors at least once and is waiting for another pass.
    await eventually(async () => {
      const [r] = await gw.app.db.ds.query(
        `SELECT count(*) FILTER (WHERE failover_round >= 1 AND status = 'QUEUED')::int AS waiting, count(*) FILTER (WHERE status = 'FAILED')::int AS failed
           FROM deliveries WHERE verification_id = ANY($1)`, [ids]);
      expect(r.failed).toBe(0);
      return r.waiting === ids.length ? true : undefined;
    }, "every delivery to have tried both vendors", 15_000);
    expect(vendors.twilio.messages).toHaveLength(0);
    expect(vendors.vonage.messages).toHaveLength(0);

    vendors.twilio.setOutage(false);
    vendors.vonage.setOutage(false);
    for (const id of ids) await settled(id);
    for (const [i, to] of destinations.entries()) {
      const received = [...vendors.twilio.messages.filter((m) => m.to === to).map((m) => m.body!), ...vendors.vonage.messages.filter((m) => m.to === to.slice(1)).map((m) => m.text!)];
      expect(received).toHaveLength(1); // once, not once per pass
      const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: ids[i], code: extractCode(received[0]) } });
      expect(ok.data.verifyOtp.status).toBe("APPROVED");
    }
  });
});

/**
 * The circuit breaker: consecutive failures open Twilio's circuit, after which a message goes
 * straight to Vonage without a request to Twilio (an attempt row says CIRCUIT_OPEN); after the
 * half-open delay one message tests Twilio again and, Twilio having recovered, closes it.
 */
describe("provider circuit breaker", () => {
  const HALF_OPEN_MS = 3000;
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    vendors = await startVendors({ only: ["twilio", "vonage"] });
    gw = await startGateway({
      env: vendors.env,
      retry: { attemptsPerProvider: 1, baseDelayMs: 20, maxDelayMs: 200 },
      breaker: { consecutiveFailures: 3, failureRatio: 0.99, window: 100, halfOpenAfterMs: HALF_OPEN_MS },
    });
    app = await gw.createApp({ name: "Acme", maxSends: 100 });
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  /** One message at a time, so that the request counts are exact. */
  const sendOne = async (to: string) => {
    const id = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } })).data.requestOtp.id;
    return eventually(async () => {
      const d = (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
      return ["SENT", "DELIVERED"].includes(d.status) ? { id, provider: d.provider as string } : undefined;
    }, `the message to ${to}`);
  };
  const twilioState = () => gw.app.services.registry.providerHealth().find((h) => h.provider === "twilio")!;
  const metric = async (state: string) => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return new RegExp(`otp_provider_circuit_state\\{provider="twilio",state="${state}"\\} (\\d)`).exec(text)?.[1];
  };

  it("opens during an outage (Twilio stops being called per message) and closes after recovery", async () => {
    vendors.twilio.setOutage(true, 503);
    for (let i = 0; i < 3; i++) expect((await sendOne(`+1415555050${i}`)).provider).toBe("vonage");
    expect(vendors.twilio.requests).toBe(3);
    expect(twilioState()).toMatchObject({ state: "open", lastErrorCode: "20503" });
    expect(await metric("open")).toBe("1");

    // While open: no request reaches Twilio, each message still arrives through Vonage at once.
    // (Should this phase outlast the half-open delay on a slow machine, one test call per delay may pass.)
    const during = [];
    const started = Date.now();
    for (let i = 3; i < 8; i++) during.push(await sendOne(`+1415555050${i}`));
    const windows = Math.floor((Date.now() - started) / HALF_OPEN_MS);
    expect(during.every((m) => m.provider === "vonage")).toBe(true);
    expect(vendors.twilio.requests).toBeLessThanOrEqual(3 + windows);
    expect(vendors.twilio.requests).toBeLessThan(3 + during.length);
    const [open] = await gw.app.db.ds.query(
      `SELECT a.outcome, a.error_code FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id LIMIT 1`,
      [during[0].id],
    );
    expect(open).toEqual({ outcome: "FAILOVER", error_code: "CIRCUIT_OPEN" });

    // Twilio recovers; once the half-open delay has passed, a message tests it and closes the circuit.
    vendors.twilio.setOutage(false);
    // Wait out the half-open delay instead of probing through it: each probe is a send, and a
    // fast machine would spend the app's per-IP send budget (50 an hour) before the circuit tries Twilio.
    await new Promise((r) => setTimeout(r, HALF_OPEN_MS));
    let n = 0;
    const next = () => `+141555506${String(n++).padStart(2, "0")}`;
    await eventually(async () => ((await sendOne(next())).provider === "twilio" ? true : undefined), "a message through Twilio again", 10_000);
    expect(twilioState().state).toBe("closed");
    expect(await metric("closed")).toBe("1");
    expect((await sendOne("+14155550599")).provider).toBe("twilio");
  });
});
