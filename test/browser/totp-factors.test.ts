import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardDist } from "../../server/src/admin/http/dashboard-static";
import { createStaff } from "../helpers/admin";
import { launchChromium, signInToDashboard } from "../helpers/browser";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { enroll, phoneCode, verifyTotp, wrongCode } from "../helpers/totp";

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(__dirname, "../../docs/screenshots") : mkdtempSync(join(tmpdir(), "otpg-screens-"));

/**
 * The dashboard's Authenticators page in Debian's Chromium against the BUILT dashboard: a
 * SUPPORT agent finds a user's factor by the app's whole subject and reads its code checks
 * (subject, label and client IPs masked, no revoke); an ADMIN sees them whole and revokes the
 * lost phone with a reason.
 */
describe("authenticator factors in the dashboard", { timeout: 90_000 }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let app: { id: string; key: string };
  let factor: { id: string; secret: string };

  beforeAll(async () => {
    if (!existsSync(join(dashboardDist(), "index.html"))) throw new Error("The dashboard is not built: run `npm run build:admin` (npm test does)");
    mkdirSync(SCREENSHOTS, { recursive: true });
    gw = await startGateway();
    app = await gw.createApp({ name: "Bank" });
    await createStaff(gw, "agent@example.com", "SUPPORT");
    await createStaff(gw, "lead@example.com", "ADMIN");
    const e = await enroll(gw, app.key, { subject: "customer-7", label: "ann@example.com" });
    factor = { id: e.factor.id, secret: e.secret };
    await verifyTotp(gw, app.key, { factorId: factor.id, code: wrongCode(e.secret, Date.now()), clientIp: "203.0.113.77" });
    await verifyTotp(gw, app.key, { factorId: factor.id, code: phoneCode(e.secret, Date.now()), clientIp: "198.51.100.23" });
    await enroll(gw, app.key, { subject: "customer-8" });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  const signIn = (email: string): Promise<Page> => signInToDashboard(browser, gw.url, email);

  /** Finds customer-7's factor by its whole subject and opens it; `shown` is how the viewer sees its subject and label. */
  async function openFactor(page: Page, shown: { subject: string; label: string }): Promise<string> {
    await page.click('a[href="#/totpFactors"]');
    await page.fill('input[name="subject"]', "customer-7");
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 15_000 }).toBe(1);
    const row = page.locator("tbody tr", { hasText: shown.subject });
    await expect(row.innerText()).resolves.toContain(shown.label);
    await expect(row.innerText()).resolves.toMatch(/VERIFIED[\s\S]*APPROVED[\s\S]*1 of 2/);
    await row.click();
    await page.getByTestId("timeline").waitFor();
    expect(await page.getByTestId("subject").innerText()).toBe(shown.subject);
    return page.getByTestId("timeline").innerText();
  }

  it("SUPPORT finds the factor by its whole subject and reads every code check with its outcome; subject, label and client IPs masked, no revoke", async () => {
    const page = await signIn("agent@example.com");
    const timeline = await openFactor(page, { subject: "c***-7", label: "a***@example.com" });
    expect(timeline).toContain('Bank enrolled an authenticator labelled "a***@example.com" for subject c***-7');
    expect(timeline).toMatch(/Wrong code[\s\S]*IP 203\.0\.113\.\*/);
    expect(timeline).toMatch(/Right code: approved[\s\S]*IP 198\.51\.100\.\*/);
    expect(timeline).toContain("Confirmed: the first right code made the factor VERIFIED");
    const text = await page.locator("body").innerText();
    expect(text).not.toContain("203.0.113.77");
    expect(text).not.toContain("ann@example.com");
    expect(text).not.toContain(factor.secret);
    expect(await page.getByRole("button", { name: "Revoke" }).count()).toBe(0);
    await page.context().close();
  });

  it("ADMIN sees the whole IPs and revokes the lost phone with a reason: audited, and the app's codes stop working", async () => {
    const page = await signIn("lead@example.com");
    const timeline = await openFactor(page, { subject: "customer-7", label: "ann@example.com" });
    expect(timeline).toContain("IP 203.0.113.77");
    await page.screenshot({ path: join(SCREENSHOTS, "totp-factor.png"), fullPage: true });
    await page.getByRole("button", { name: "Revoke" }).click();
    await page.fill('input[name="reason"]', "Lost phone, ticket 5120");
    await page.getByRole("button", { name: "Revoke factor" }).click();
    await expect.poll(() => page.getByTestId("timeline").innerText(), { timeout: 15_000 }).toContain("Revoked by lead@example.com: Lost phone, ticket 5120");
    await expect(page.locator("body").innerText()).resolves.toMatch(/REVOKED/);
    expect(await page.getByRole("button", { name: "Revoke" }).count()).toBe(0);

    const [audit] = await gw.app.db.ds.query(`SELECT actor_email, reason FROM audit_log WHERE action = 'totp_factor.revoke' AND target_id = $1`, [factor.id]);
    expect(audit).toEqual({ actor_email: "lead@example.com", reason: "Lost phone, ticket 5120" });
    const r = await verifyTotp(gw, app.key, { factorId: factor.id, code: phoneCode(factor.secret, Date.now() + 30_000) });
    expect(r.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    await page.context().close();
  });
});
