import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, SEARCH, createStaff } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

/**
 * A support agent types the number the way a customer in the shop's own country says it, without
 * its country code. The search reads it as a whole number of the traffic's country (the most
 * common destination country of recent verifications), or of DEFAULT_COUNTRY when the operator
 * set it; never as digits to match the end of stored numbers.
 */
describe("dashboard search: a national number in the search country", () => {
  const gateways: TestGateway[] = [];
  afterAll(async () => {
    for (const gw of gateways) await gw.stop();
  });

  async function gatewayWith(env: Record<string, string>, numbers: string[]) {
    const gw = await startGateway({ env });
    gateways.push(gw);
    const shop = await gw.createApp({ name: "Shop" });
    const ids: Record<string, string> = {};
    for (const n of numbers) {
      const r = await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: n, channel: "SMS" } });
      if (!r.data) throw new Error(`requestOtp ${n}: ${JSON.stringify(r.errors)}`);
      ids[n] = r.data.requestOtp.id;
    }
    await createStaff(gw, "agent@example.com", "SUPPORT");
    return { gw, ids, support: await AdminClient.signedIn(gw.url, "agent@example.com") };
  }
  const found = async (c: AdminClient, q: string) => (await c.gql(SEARCH, { filter: { q } })).data.verifications.data.map((v: { id: string }) => v.id);

  let us: Awaited<ReturnType<typeof gatewayWith>>;
  beforeAll(async () => {
    // Mostly US traffic, one UK number.
    us = await gatewayWith({}, ["+12025550143", "+12025550144", "+14155550145", "+447911123456"]);
  });

  it("reads '(202) 555-0143' as the whole US number when the traffic is US, audited as an exact search", async () => {
    expect(await found(us.support, "(202) 555-0143")).toEqual([us.ids["+12025550143"]]);
    expect(await found(us.support, "202-555-0144")).toEqual([us.ids["+12025550144"]]);
    const [row] = await us.gw.app.db.ds.query(`SELECT after FROM audit_log WHERE action = 'verification.search' ORDER BY id LIMIT 1`);
    expect(row.after).toEqual({ destination: "+12025550143", kind: "exact", matches: 1 });
  });

  it("never matches a part of a number: a short or foreign national number is refused with the country named", async () => {
    for (const q of ["555-0143", "5550143", "07911 123456"]) {
      const r = await us.support.gql(SEARCH, { filter: { q } });
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0].message).toMatch(/Not a valid US number/);
    }
    // The UK customer is found with the country code, as before.
    expect(await found(us.support, "+44 7911 123456")).toEqual([us.ids["+447911123456"]]);
  });

  it("DEFAULT_COUNTRY decides over the traffic", async () => {
    const gb = await gatewayWith({ DEFAULT_COUNTRY: "gb" }, ["+12025550143", "+12025550146", "+447911123456"]);
    expect(await found(gb.support, "07911 123456")).toEqual([gb.ids["+447911123456"]]);
    expect(errorCode(await gb.support.gql(SEARCH, { filter: { q: "(202) 555-0143" } }))).toBe("BAD_USER_INPUT");
  });
});
