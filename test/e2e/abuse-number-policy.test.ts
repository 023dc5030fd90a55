import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { eventually } from "../helpers/codes";
import { count, refusal, requestOtp, resendOtp } from "../helpers/abuse";
import { TwilioFake } from "../fakes/twilio-fake";

const ACCOUNT_SID = "AC00000000000000000000000000000044";
const AUTH_TOKEN = "twilio-test-auth-token-number-policy";

/**
 * Geo permissions per channel and number types, decided before anything is stored or any
 * vendor is called: the Twilio stand-in must see nothing for a refused number.
 */
describe("abuse protection: countries and number types", () => {
  let twilio: TwilioFake;
  let gw: TestGateway;

  beforeAll(async () => {
    twilio = await TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    gw = await startGateway({ env: { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url } });
  });
  afterAll(async () => {
    await gw?.stop();
    await twilio?.stop();
  });

  /** Refused FORBIDDEN, with no verification, delivery or vendor message for it. */
  async function expectForbidden(key: string, appId: string, destination: string, channel: string) {
    const rows = await count(gw, "verifications WHERE app_id = $1", [appId]);
    const sent = twilio.messages.length;
    const r = await requestOtp(gw, key, destination, { channel });
    expect(refusal(r).code, `${channel} to ${destination}`).toBe("FORBIDDEN");
    expect(await count(gw, "verifications WHERE app_id = $1", [appId])).toBe(rows);
    expect(await count(gw, "deliveries WHERE app_id = $1", [appId])).toBe(rows);
    expect(twilio.messages.length).toBe(sent);
  }

  async function expectSent(key: string, destination: string, channel: string, kind: "sms" | "call") {
    const r = await requestOtp(gw, key, destination, { channel });
    expect(r.errors, `${channel} to ${destination}`).toBeUndefined();
    const e164 = destination.replace(/[^\d+]/g, "");
    await eventually(() => twilio.messages.find((m) => m.to === e164 && m.kind === kind), `a Twilio ${kind} to ${e164}`);
  }

  it("SMS and VOICE each have their own allowed countries", async () => {
    const app = await gw.createApp({ name: "Geo", countries: ["US"], settings: { voiceCountries: ["US", "GB"] } });
    await expectSent(app.key, "+14155550301", "SMS", "sms");
    await expectForbidden(app.key, app.id, "+447400123456", "SMS");
    await expectSent(app.key, "+447400123456", "VOICE", "call");
    await expectForbidden(app.key, app.id, "+33612345601", "VOICE");
    await expectForbidden(app.key, app.id, "+33612345601", "SMS");
  });

  it("premium-rate and shared-cost numbers are refused on every channel, before any limit is spent", async () => {
    const app = await gw.createApp({ name: "Types", maxSends: 1 });
    for (const channel of ["SMS", "VOICE", "SMS"]) {
      await expectForbidden(app.key, app.id, "+1 900 555 0100", channel); // US premium rate
      await expectForbidden(app.key, app.id, "+44 845 123 4567", channel); // GB premium rate (084x)
      await expectForbidden(app.key, app.id, "+33 810 12 34 56", channel); // FR shared cost
    }
  });

  it("landlines get a call but not a text; toll-free likewise; mobiles get both", async () => {
    const app = await gw.createApp({ name: "Landline" });
    await expectForbidden(app.key, app.id, "+44 20 7946 0958", "SMS");
    const r = await requestOtp(gw, app.key, "+44 20 7946 0958", { channel: "SMS" });
    expect(r.errors![0].message).toMatch(/VOICE/); // tells the app what would work
    await expectSent(app.key, "+44 20 7946 0958", "VOICE", "call");
    await expectForbidden(app.key, app.id, "+1 800 555 0100", "SMS");
    await expectSent(app.key, "+1 800 555 0100", "VOICE", "call");
    await expectSent(app.key, "+33 6 12 34 56 02", "SMS", "sms");
  });

  it("a resend that switches a landline to SMS is refused too", async () => {
    const app = await gw.createApp({ name: "Switch", resendCooldownSeconds: 0 });
    const id = (await requestOtp(gw, app.key, "+44 20 7946 0959", { channel: "VOICE" })).data.requestOtp.id;
    const deliveries = await count(gw, "deliveries WHERE verification_id = $1", [id]);
    expect(refusal(await resendOtp(gw, app.key, id, "SMS")).code).toBe("FORBIDDEN");
    expect(await count(gw, "deliveries WHERE verification_id = $1", [id])).toBe(deliveries);
  });

  it("invalid per-channel country settings are refused when the app is saved", async () => {
    await expect(gw.createApp({ name: "Bad", settings: { voiceCountries: ["USA"] } })).rejects.toThrow(/voice country "USA"/);
  });
});
