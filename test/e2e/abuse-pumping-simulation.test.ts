import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { extractCode, eventually } from "../helpers/codes";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { runPumpingSimulation, type SimulationClient } from "../helpers/pumping-simulation";
import { startVendors, type Vendors } from "../helpers/vendors";

/**
 * The pumping simulation (test/helpers/pumping-simulation.ts) against a real gateway on an app
 * created with every default: real Postgres, Redis (or none: the same rules in memory), the
 * Twilio stand-in driven by the Twilio SDK. Rotating numbers and IPs, never verifying, while
 * real users verify within a second or two. The budgets are the issue's: at most 20 SMS paid for
 * one prefix, at most 60 across a country, no converting user refused.
 */
for (const store of ["redis", "memory"] as const) {
  describe(`SMS-pumping simulation on default settings (${store})`, () => {
    let vendors: Vendors;
    let gw: TestGateway;

    beforeAll(async () => {
      vendors = await startVendors({ only: ["twilio"] });
      gw = await startGateway({ redis: store === "redis", env: vendors.env });
    }, 60_000);
    afterAll(async () => {
      await gw?.stop();
      await vendors?.stop();
    }, 60_000);

    it("pays for at most 20 SMS on one prefix and 60 across a country, and refuses no converting user", async () => {
      const app = await gw.createApp({ name: "Every default" });
      const client: SimulationClient = {
        async request(destination, clientIp) {
          const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp } });
          const e = r.errors?.[0];
          return e ? { refused: `${e.extensions?.code}: ${e.message}` } : { id: r.data.requestOtp.id };
        },
        async verify(id, destination) {
          const sms = await vendors.twilio.waitForMessage((m) => m.to === destination, 30_000);
          const r = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body!) } });
          return r.data?.verifyOtp?.status === "APPROVED";
        },
      };
      const result = await runPumpingSimulation(client).catch((err) => {
        console.log(gw.logs.lines.filter((l) => /"level":(50|40)/.test(l)).slice(0, 5).join("\n"));
        throw err;
      });
      const [onePrefix, oneCountry] = result.attacks;
      console.log(`[pumping simulation, ${store}] ${onePrefix.pattern}: ${onePrefix.paid}/${onePrefix.requests} paid; ${oneCountry.pattern}: ${oneCountry.paid}/${oneCountry.requests} paid; converting users refused: ${result.converting.refused}/${result.converting.users}`);

      expect(result.historyUsers).toBe(36);
      expect(onePrefix.requests).toBe(150);
      expect(onePrefix.paid).toBeGreaterThan(0);
      expect(onePrefix.paid).toBeLessThanOrEqual(20);
      expect(oneCountry.requests).toBe(600);
      expect(oneCountry.paid).toBeLessThanOrEqual(60);
      expect(result.converting.users).toBe(75);
      expect(result.converting.refusals).toEqual([]);
      expect(result.converting.verified).toBe(result.converting.users);

      // What was paid for is what the vendor was asked to send: every accepted request, nothing refused.
      const attacked = new Set([...onePrefix.numbers, ...oneCountry.numbers]);
      const paid = onePrefix.paid + oneCountry.paid;
      await eventually(() => (vendors.twilio.messages.filter((m) => attacked.has(m.to)).length === paid ? true : undefined), "the accepted attack SMS", 20_000);
      const vendorSaw = vendors.twilio.messages.filter((m) => attacked.has(m.to)).map((m) => m.to).sort();
      expect(vendorSaw).toEqual([...attacked].sort());

      // The refusals explain themselves: the rule, the figures, and the risk factors.
      const blocks = await gw.app.db.ds.query(
        `SELECT rule, key_masked, hits, "limit", shadow, details FROM rate_limit_blocks WHERE app_id = $1 AND rule LIKE 'pumping_%' ORDER BY created_at`, [app.id],
      );
      const prefixBlock = blocks.find((b: any) => b.rule === "pumping_prefix" && b.key_masked === "+3361234xxxx");
      // No evidence yet (every send seconds old): open codes weigh half, so twice the floor went out before the block.
      expect(prefixBlock).toMatchObject({ shadow: false, hits: 20, limit: 10 });
      expect(prefixBlock.details).toMatchObject({
        level: "prefix", mode: "enforce", soft: false, unverified: 20, inFlight: 20, unconverted: 0, weight: 0.5, verified: 0, budget: 10, floor: 10, ratio: 1,
        windowSeconds: 3600, historySeconds: 86_400,
        escalationStep: 1, blockSeconds: 3600,
      });
      // The rows' view at the moment of the refusal (a concurrent accepted send may still be committing).
      expect(prefixBlock.details.distinctNumbers).toBeGreaterThanOrEqual(16);
      expect(prefixBlock.details.distinctNumbers).toBeLessThanOrEqual(20);
      expect(prefixBlock.details.distinctIps).toBe(prefixBlock.details.distinctNumbers);
      expect(prefixBlock.details.riskFactors).toEqual(["unverified_burst", "no_conversion_history", "number_range_abuse", "ip_rotation"]);
      const countryBlock = blocks.find((b: any) => b.rule === "pumping_country" && b.key_masked === "US");
      // US has a history (its real users verified), so the rotation through its fresh prefixes met the country's fresh budget:
      // the larger of floor 30 and what the country's fresh prefixes proved, the open codes weighed by what they convert.
      const d = countryBlock.details;
      // Soft: real users verify in that scope, so no standing block — each send judged afresh.
      // Its real users verified before the attack: nobody vouches for codes sent after the latest proof.
      expect(d).toMatchObject({ level: "country", soft: true, floor: 30, ratio: 1, unconverted: 0, vouched: 0 });
      expect(d.verified).toBeGreaterThan(0);
      expect(d.budget).toBe(Math.max(30, d.verified));
      expect(d.weight).toBeGreaterThanOrEqual(0.5);
      expect(d.weight * (d.inFlight + 1)).toBeGreaterThan(d.budget);
      expect(countryBlock.details.distinctPrefixes).toBeGreaterThanOrEqual(5);
      expect(countryBlock.details.riskFactors).toEqual(expect.arrayContaining(["unverified_burst", "number_range_abuse", "ip_rotation", "country_spike"]));
      // No block touched a prefix real users come from.
      expect(blocks.filter((b: any) => /^\+1(201|202|203|205|206|207|208|209|210|212|213|214)700/.test(b.key_masked))).toEqual([]);
    }, 180_000);
  });
}
