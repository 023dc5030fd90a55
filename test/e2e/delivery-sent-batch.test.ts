import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { requestOtp } from "../helpers/abuse";
import { DeliveryStore } from "../../server/src/delivery/delivery-store";
import { SentBatcher } from "../../server/src/delivery/sent-batcher";

/**
 * Hand-offs recorded together (SentBatcher → DeliveryStore.sentMany) change each delivery as
 * one `sent` would: under its own claim (a lapsed one changes nothing and answers null), with
 * its SENT event and attempt, and its early-callback flag — one statement for the lot.
 */
describe("sent transitions in batches", () => {
  let gw: TestGateway;
  let store: DeliveryStore;

  beforeAll(async () => {
    // Role api: nothing claims the queued rows but this test.
    gw = await startGateway({ role: "api" });
    store = new DeliveryStore(gw.app.db.ds);
  });
  afterAll(() => gw?.stop());

  it("records each under its claim in one statement, in order; a lapsed claim answers null and changes nothing", async () => {
    const app = await gw.createApp({ name: "Batch" });
    for (let i = 0; i < 4; i++) expect((await requestOtp(gw, app.key, `+1415555086${i}`)).errors).toBeUndefined();
    const claimed = await store.claim(10, 60, "worker-a");
    expect(claimed).toHaveLength(4);
    // The third one's claim lapsed and another worker holds it now.
    await gw.app.db.ds.query(`UPDATE deliveries SET leased_by = 'worker-b' WHERE id = $1`, [claimed[2].delivery.id]);
    await gw.app.db.ds.query(
      `INSERT INTO early_status_callbacks (provider, provider_message_id, status, raw) VALUES ('twilio', 'SM-early', 'DELIVERED', '{}')`,
    );

    const batcher = new SentBatcher(store, "worker-a");
    const results = await Promise.all(claimed.map((c, i) =>
      batcher.record(c.delivery, { provider: "twilio", providerMessageId: i === 1 ? "SM-early" : `SM-${i}`, outcome: "SENT", latencyMs: 10 + i }, "SENT")));
    // One statement, one transaction: now() — every SENT event's and row's timestamp — is the same for all three.
    const [{ stamps }] = await gw.app.db.ds.query(
      `SELECT count(DISTINCT e.created_at)::int AS stamps FROM delivery_events e WHERE e.status = 'SENT' AND e.delivery_id = ANY($1)`, [claimed.map((c) => c.delivery.id)]);
    expect(stamps).toBe(1);

    expect(results.map((r) => r.row?.id ?? null)).toEqual([claimed[0].delivery.id, claimed[1].delivery.id, null, claimed[3].delivery.id]);
    expect(results.map((r) => r.earlyCallbacks)).toEqual([false, true, false, false]);
    expect(results[0].row).toMatchObject({ status: "SENT", provider_message_id: "SM-0", lease_until: null });
    expect(Object.keys(results[0].row!)).not.toContain("sent_latency_ms");

    const rows = await gw.app.db.ds.query(
      `SELECT d.id, d.status, d.leased_by,
              (SELECT count(*)::int FROM delivery_events e WHERE e.delivery_id = d.id AND e.status = 'SENT') AS sent_events,
              (SELECT json_agg(json_build_object('outcome', a.outcome, 'latency', a.latency_ms, 'id', a.provider_message_id)) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempts
         FROM deliveries d WHERE d.id = ANY($1)`, [claimed.map((c) => c.delivery.id)]);
    const byId = new Map(rows.map((r: any) => [r.id, r]));
    for (const [i, c] of claimed.entries()) {
      const r: any = byId.get(c.delivery.id);
      if (i === 2) {
        expect(r).toMatchObject({ status: "SENDING", leased_by: "worker-b", sent_events: 0, attempts: null });
      } else {
        expect(r).toMatchObject({ status: "SENT", sent_events: 1, attempts: [{ outcome: "SENT", latency: 10 + i, id: i === 1 ? "SM-early" : `SM-${i}` }] });
      }
    }
  });
});
