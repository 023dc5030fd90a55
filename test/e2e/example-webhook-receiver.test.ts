import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExample, type RunningExample } from "../../examples/web-signin/server";

/**
 * The reference sign-in's webhook receiver keeps only events whose Standard Webhooks signature
 * verifies. Signed here by hand (HMAC-SHA256 over "id.timestamp.body" with the base64 key behind
 * `whsec_`), independently of the `standardwebhooks` package the receiver uses.
 */
const KEY = randomBytes(24);
const SECRET = `whsec_${KEY.toString("base64")}`;

function sign(id: string, timestamp: number, body: string, key = KEY): Record<string, string> {
  const sig = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${sig}` };
}

describe("reference sign-in: webhook receiver", () => {
  let example: RunningExample;
  beforeAll(async () => {
    // No gateway is called by these requests; the URL is never dialled.
    example = await startExample({ gatewayUrl: "http://127.0.0.1:9", apiKey: "otpk_unused", webhookSecret: SECRET });
  });
  afterAll(() => example.stop());

  const post = (headers: Record<string, string>, body: string) => fetch(`${example.url}/webhooks/otp`, { method: "POST", headers, body });
  const event = (id: string) => JSON.stringify({ type: "verification.approved", id, createdAt: new Date().toISOString(), data: { id: "v1", to: "+1******0123" } });
  const now = () => Math.floor(Date.now() / 1000);

  it("accepts a correctly signed event", async () => {
    const body = event("evt_ok");
    const res = await post(sign("msg_ok", now(), body), body);
    expect(res.status).toBe(200);
    expect(example.events.map((e) => e.id)).toContain("evt_ok");
  });

  it("refuses a forged, a tampered, a stale and an unsigned event, and keeps none of them", async () => {
    const before = example.events.length;
    const body = event("evt_bad");
    expect((await post(sign("msg_1", now(), body, randomBytes(24)), body)).status).toBe(401);
    expect((await post(sign("msg_2", now(), body), body.replace("v1", "v2"))).status).toBe(401);
    expect((await post(sign("msg_3", now() - 600, body), body)).status).toBe(401);
    expect((await post({ "content-type": "application/json" }, body)).status).toBe(401);
    expect(example.events.length).toBe(before);
  });
});
