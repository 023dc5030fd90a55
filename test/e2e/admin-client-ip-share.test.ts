import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestOtp } from "../helpers/abuse";
import { createStaffWithTotp, type AdminClient } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";

const APPS = `query($filter: AppFilter) { apps(filter: $filter) { data { id requestsWithoutClientIp24h clientIpHint } } }`;
const APP = `query($id: ID!) { app(id: $id) { id requestsWithoutClientIp24h clientIpHint } }`;

/**
 * The share of an app's requests of the last 24 hours that came without clientIp (no per-IP
 * limit applies to them), in the admin API with its hint: after real requests with and without.
 */
describe("admin API: requests without clientIp per app", () => {
  let gw: TestGateway;
  let admin: AdminClient;

  beforeAll(async () => {
    gw = await startGateway();
    admin = (await createStaffWithTotp(gw, "lead@example.com", "ADMIN")).client;
  });
  afterAll(() => gw?.stop());

  it("is the share of the last 24 hours' requests without clientIp, with what it means", async () => {
    const mixed = await gw.createApp({ name: "Mixed" });
    const stated = await gw.createApp({ name: "Stated" });
    const none = await gw.createApp({ name: "Silent" });
    for (let i = 0; i < 3; i++) expect((await requestOtp(gw, mixed.key, `+1415555010${i}`, { clientIp: `203.0.113.${i + 1}` })).errors).toBeUndefined();
    expect((await requestOtp(gw, mixed.key, "+14155550109")).errors).toBeUndefined();
    expect((await requestOtp(gw, stated.key, "+14155550201", { clientIp: "203.0.113.9" })).errors).toBeUndefined();
    // An old request without clientIp is outside the 24 hours.
    expect((await requestOtp(gw, stated.key, "+14155550202")).errors).toBeUndefined();
    await gw.app.db.ds.query(`UPDATE verifications SET created_at = now() - interval '25 hours' WHERE app_id = $1 AND client_ip IS NULL`, [stated.id]);

    const one = await admin.gql(APP, { id: mixed.id });
    expect(one.errors).toBeUndefined();
    expect(one.data.app).toMatchObject({ requestsWithoutClientIp24h: 0.25 });
    expect(one.data.app.clientIpHint).toMatch(/^25 % of requests come without clientIp: per-IP limits apply only to the rest/);

    const list = await admin.gql(APPS, { filter: { ids: [mixed.id, stated.id, none.id] } });
    expect(list.errors).toBeUndefined();
    const byId = Object.fromEntries(list.data.apps.data.map((a: any) => [a.id, a]));
    expect(byId[mixed.id].requestsWithoutClientIp24h).toBe(0.25);
    expect(byId[stated.id]).toMatchObject({ requestsWithoutClientIp24h: 0, clientIpHint: expect.stringMatching(/^Every request states clientIp/) });
    expect(byId[none.id]).toMatchObject({ requestsWithoutClientIp24h: null, clientIpHint: "No requests in the last 24 hours." });
  });
});
