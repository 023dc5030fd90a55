import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardDist } from "../../server/src/admin/http/dashboard-static";
import { requestOtp } from "../helpers/abuse";
import { createStaff } from "../helpers/admin";
import { launchChromium, signInToDashboard } from "../helpers/browser";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode } from "../helpers/graphql-client";

/**
 * The blocks page against the BUILT dashboard: SUPPORT gets no Lift button on a money guard (a
 * pumping block, its number prefix shown as the calling code) but keeps it on an everyday limit;
 * ADMIN has both. The server's refusal is tested in test/e2e/admin-block-lift-roles.test.ts.
 */
describe("the blocks page: Lift by role", { timeout: 90_000 }, () => {
  let gw: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(dashboardDist(), "index.html"))) throw new Error("The dashboard is not built: run `npm run build:admin` (npm test does)");
    gw = await startGateway();
    await createStaff(gw, "agent@example.com", "SUPPORT");
    await createStaff(gw, "lead@example.com", "ADMIN");
    const pump = await gw.createApp({ name: "Pump", settings: { limits: { pumping: { prefix: { floor: 1, share: 0.5 }, country: null } } } });
    // Open codes with no evidence weigh half: two go out at floor 1, the third is refused.
    expect((await requestOtp(gw, pump.key, "+14155550101")).errors).toBeUndefined();
    expect((await requestOtp(gw, pump.key, "+14155550103")).errors).toBeUndefined();
    expect(errorCode(await requestOtp(gw, pump.key, "+14155550102"))).toBe("RATE_LIMITED");
    const once = await gw.createApp({ name: "Once", maxSends: 1 });
    expect((await requestOtp(gw, once.key, "+14155550188")).errors).toBeUndefined();
    expect(errorCode(await requestOtp(gw, once.key, "+14155550188"))).toBe("RATE_LIMITED");
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it.each([
    ["agent@example.com", "+1…", 0],
    ["lead@example.com", "+1415555xxxx", 1],
  ] as const)("%s sees the pumping block as %s with %i Lift button(s), and may lift the everyday one", async (email, key, lifts) => {
    const page = await signInToDashboard(browser, gw.url, email);
    await page.click('a[href*="#/blocks"]');
    const pumping = page.locator("tbody tr", { hasText: "pumping_prefix" });
    const everyday = page.locator("tbody tr", { hasText: "sends_per_destination" });
    await pumping.waitFor({ timeout: 15_000 });
    await everyday.waitFor({ timeout: 15_000 });
    await expect(pumping.innerText()).resolves.toContain(key);
    expect(await pumping.getByRole("button", { name: "Lift" }).count()).toBe(lifts);
    expect(await everyday.getByRole("button", { name: "Lift" }).count()).toBe(1);
    await page.context().close();
  });
});
