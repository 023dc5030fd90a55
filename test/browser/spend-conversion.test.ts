import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardDist } from "../../server/src/admin/http/dashboard-static";
import { createStaff } from "../helpers/admin";
import { launchChromium, signInToDashboard } from "../helpers/browser";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { seedSpendDay } from "../helpers/spend-fixture";

// The docs' pictures are refreshed on request (UPDATE_SCREENSHOTS=1); otherwise a test run leaves the checkout clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(__dirname, "../../docs/screenshots") : mkdtempSync(join(tmpdir(), "otpg-screens-"));

/**
 * "Spend & conversion" against the BUILT dashboard: an ADMIN picks a custom period holding one
 * seeded day of two apps (Shop: US converts, FR spends and never converts; Games: US and an
 * e-mail), reads the totals per currency, sees France in red with its label, a red bar in the
 * chart, and narrows the page to one app. SUPPORT has no such page (and the API refuses it:
 * test/e2e/admin-spend-conversion.test.ts).
 */
describe("the Spend & conversion page", { timeout: 90_000 }, () => {
  let gw: TestGateway;
  let browser: Browser;
  // A past UTC day, whole minutes (the custom picker's precision).
  const from = new Date(Math.floor((Date.now() - 5 * 86_400_000) / 86_400_000) * 86_400_000);
  const to = new Date(from.getTime() + 86_400_000);
  const local = (d: Date) => d.toISOString().slice(0, 16); // the browser runs in UTC

  beforeAll(async () => {
    if (!existsSync(join(dashboardDist(), "index.html"))) throw new Error("The dashboard is not built: run `npm run build:admin` (npm test does)");
    mkdirSync(SCREENSHOTS, { recursive: true });
    gw = await startGateway();
    const shop = await gw.createApp({ name: "Shop" });
    const games = await gw.createApp({ name: "Games" });
    await seedSpendDay(gw.app.db.ds, shop.id, games.id, from);
    await createStaff(gw, "agent@example.com", "SUPPORT");
    await createStaff(gw, "lead@example.com", "ADMIN");
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  const pick = async (page: Page, testId: string, option: string) => {
    await page.getByTestId(testId).getByRole("combobox").click();
    await page.getByRole("option", { name: option, exact: true }).click();
  };
  const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

  it("an ADMIN reads the day's spend per currency, sees the country that spends without converting, and narrows to one app", async () => {
    const page = await signInToDashboard(browser, gw.url, "lead@example.com");
    await page.getByRole("menuitem", { name: "Spend & conversion" }).click();
    await pick(page, "spend-period", "Custom");
    await page.fill('input[name="from"]', local(from));
    await page.fill('input[name="to"]', local(to));

    await expect.poll(() => text(page, "total-verifications"), { timeout: 15_000 }).toContain("8");
    expect(await text(page, "total-spend")).toContain("0.17 EUR · 0.0337 USD");
    expect(await text(page, "total-approved")).toContain("5");
    expect(await text(page, "total-conversion")).toContain("62.5%");
    expect(await text(page, "total-cost-per-verified")).toContain("0.034 EUR · 0.00674 USD");

    const countries = page.getByTestId("spend-by-country");
    const fr = countries.locator("tbody tr", { hasText: "FR" });
    const us = countries.locator("tbody tr", { hasText: "US" });
    await expect(fr.getAttribute("data-flagged")).resolves.toBe("true");
    expect(await fr.innerText()).toMatch(/Spend, no conversion[\s\S]*0\.0%[\s\S]*0\.12 EUR[\s\S]*nobody verified/);
    await expect(us.getAttribute("data-flagged")).resolves.toBe("false");
    expect(await us.innerText()).toMatch(/80\.0%[\s\S]*0\.05 EUR · 0\.0337 USD[\s\S]*0\.0125 EUR · 0\.008425 USD/);
    expect(await text(page, "spend-alert")).toContain("no conversion in FR");
    // A chart per currency, never converted: in EUR France's bar is red and the US one blue; in USD only the US has a bar.
    const eur = page.getByTestId("chart-spend-EUR");
    await expect.poll(() => eur.locator('.recharts-bar-rectangle path[fill="#d32f2f"]').count(), { timeout: 15_000 }).toBe(1);
    expect(await eur.locator('.recharts-bar-rectangle path[fill="#1976d2"]').count()).toBe(1);
    const usd = page.getByTestId("chart-spend-USD");
    await expect.poll(() => usd.locator(".recharts-bar-rectangle path").count(), { timeout: 15_000 }).toBe(1);
    expect(await usd.locator('.recharts-bar-rectangle path[fill="#d32f2f"]').count()).toBe(0);
    expect(await page.getByTestId("spend-by-provider").locator("tbody tr", { hasText: "vonage" }).innerText()).toMatch(/0\.17 EUR/);
    expect(await page.getByTestId("spend-by-app").locator("tbody tr", { hasText: "Games" }).innerText()).toMatch(/0\.01 USD[\s\S]*0\.005 USD/);
    await page.screenshot({ path: join(SCREENSHOTS, "spend-conversion.png"), fullPage: true });

    await pick(page, "spend-app", "Games");
    await expect.poll(() => text(page, "total-verifications"), { timeout: 15_000 }).toMatch(/\b2\b/);
    expect(await text(page, "total-spend")).toContain("0.01 USD");
    expect(await text(page, "total-spend")).not.toContain("EUR");
    expect(await countries.locator("tbody tr", { hasText: "FR" }).count()).toBe(0);
    expect(await page.getByTestId("spend-alert").count()).toBe(0);
    expect(await page.getByTestId("spend-by-app").count()).toBe(0);
    await page.context().close();
  });

  it("SUPPORT has no Spend & conversion page, not even by its address", async () => {
    const page = await signInToDashboard(browser, gw.url, "agent@example.com");
    expect(await page.locator('a[href="#/spend"]').count()).toBe(0);
    await page.goto(`${gw.url}/admin/#/spend`);
    await page.getByText(/not found|doesn't exist/i).first().waitFor();
    expect(await page.getByTestId("total-spend").count()).toBe(0);
    await page.context().close();
  });
});
