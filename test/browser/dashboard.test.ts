import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardDist } from "../../server/src/admin/http/dashboard-static";
import { TelegramGatewayFake } from "../fakes/telegram-gateway-fake";
import type { TwilioFake } from "../fakes/twilio-fake";
import { STAFF_PASSWORD, codeAt, createStaff } from "../helpers/admin";
import { eventually, extractCode } from "../helpers/codes";
import { launchChromium, signInToDashboard } from "../helpers/browser";
import { startRcsVendors, type RcsVendors } from "../helpers/rcs";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";

const TELEGRAM_TOKEN = "AAHtelegram-dashboard-test-token-0123456789";
// The README's pictures are refreshed on request (UPDATE_SCREENSHOTS=1); otherwise a test run leaves the checkout clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(__dirname, "../../docs/screenshots") : mkdtempSync(join(tmpdir(), "otpg-screens-"));

/**
 * The dashboard as staff use it: Debian's Chromium (driven by playwright-core) against the
 * BUILT react-admin app served by a real gateway. A SUPPORT agent finds a customer's failed
 * verification by typing the number in another format, reads Twilio's error in its timeline,
 * lifts a block and reads the providers page; an ADMIN creates an app and rotates its key (add, then revoke the older).
 */
describe("support dashboard in a browser", { timeout: 90_000 }, () => {
  let twilio: TwilioFake;
  let rcs: RcsVendors;
  let telegram: TelegramGatewayFake;
  let gw: TestGateway;
  let browser: Browser;
  let shop: { id: string; key: string };

  const request = (destination: string, key = shop.key) => gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", purpose: "login", clientIp: "192.0.2.10" } });
  const settled = () =>
    eventually(async () => ((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE status IN ('QUEUED', 'SENDING')`))[0].n === 0 ? true : undefined), "deliveries handed off", 20_000);

  beforeAll(async () => {
    if (!existsSync(join(dashboardDist(), "index.html"))) throw new Error("The dashboard is not built: run `npm run build:admin` (npm test does)");
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Twilio (SMS, and RCS through a Messaging Service), Vonage (RCS second) and Telegram: the
    // providers page and the failure chart must list the new vendors and channels once configured.
    rcs = await startRcsVendors();
    twilio = rcs.twilio;
    telegram = await TelegramGatewayFake.start({ token: TELEGRAM_TOKEN });
    gw = await startGateway({ env: { ...rcs.env, SMS_PROVIDERS: "twilio", TELEGRAM_GATEWAY_TOKEN: TELEGRAM_TOKEN, TELEGRAM_GATEWAY_API_BASE_URL: telegram.url } });
    shop = await gw.createApp({ name: "Shop", maxSends: 2 });
    await createStaff(gw, "agent@example.com", "SUPPORT");
    await createStaff(gw, "lead@example.com", "ADMIN");

    // Traffic: customers who got their code and entered it, one Twilio refused (21211), one rate-limited.
    for (const n of ["+14155550101", "+14155550102", "+14155550103", "+33612345678"]) {
      const id = (await request(n)).data.requestOtp.id;
      const sms = await twilio.waitForMessage((m) => m.to === n);
      await gql(gw.url, shop.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body!) } });
    }
    twilio.failNext(1, { status: 400, code: 21211 });
    await request("+1 415 555 0199");
    // Handed off before the next sends: otherwise the worker may claim them together and another
    // send can reach Twilio first and take the scripted failure.
    await settled();
    await request("+14155550188");
    await request("+14155550188");
    expect(errorCode(await request("+14155550188"))).toBe("RATE_LIMITED");
    // One code by Telegram and one by RCS (Twilio first in RCS_PROVIDERS).
    for (const [destination, channel] of [["+14155550171", "TELEGRAM"], ["+14155550172", "RCS"]]) {
      expect((await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination, channel, purpose: "login", clientIp: "192.0.2.11" } })).data?.requestOtp.status).toBe("PENDING");
    }
    await settled();

    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await rcs?.stop();
    await telegram?.stop();
  });

  const signIn = (email: string): Promise<Page> => signInToDashboard(browser, gw.url, email);

  it("a SUPPORT agent finds the failed verification by the number in another format and reads Twilio's error in its timeline", async () => {
    const page = await signIn("agent@example.com");
    await page.getByTestId("chart-sends").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard.png"), fullPage: true });
    // SUPPORT has no apps, staff or audit menu.
    expect(await page.locator('a[href="#/apps"]').count()).toBe(0);

    await page.click('a[href="#/verifications"]');
    await page.fill('input[name="q"]', "001 (415) 555-0199");
    // The list narrows to the one verification the server matched to the normalized number.
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 15_000 }).toBe(1);
    const row = page.locator("tbody tr", { hasText: "+1******0199" });
    await row.waitFor();
    await expect(row.innerText()).resolves.toMatch(/FAILED/);
    await row.click();

    const error = page.getByTestId("vendor-error").first();
    await error.waitFor();
    const text = await error.innerText();
    expect(text).toContain("twilio error 21211");
    expect(text).toMatch(/not a valid phone number/);
    const timeline = await page.getByTestId("timeline").innerText();
    expect(timeline).toMatch(/Shop requested an SMS code for "login"/);
    // SUPPORT sees the client's network, not the address.
    expect(timeline).toContain("client IP 192.0.2.*");
    expect(timeline).not.toContain("192.0.2.10");
    expect(await page.getByTestId("destination").innerText()).toBe("+1******0199");
    await page.screenshot({ path: join(SCREENSHOTS, "timeline.png"), fullPage: true });

    // Revealing the number takes a reason, and is audited.
    await page.getByRole("button", { name: "Reveal" }).click();
    await page.fill('input[name="reason"]', "Customer on the line, ticket 981");
    await page.getByRole("button", { name: "Reveal" }).last().click();
    await expect.poll(() => page.getByTestId("destination").innerText(), { timeout: 15_000 }).toBe("+14155550199");
    const [audit] = await gw.app.db.ds.query(`SELECT actor_email, reason FROM audit_log WHERE action = 'verification.reveal_destination'`);
    expect(audit).toEqual({ actor_email: "agent@example.com", reason: "Customer on the line, ticket 981" });
    await page.context().close();
  });

  it("a SUPPORT agent lifts the customer's block with a reason, and the customer can request again", async () => {
    const page = await signIn("agent@example.com");
    await page.click('a[href*="#/blocks"]');
    const row = page.locator("tbody tr", { hasText: "+1******0188" });
    await row.waitFor();
    await expect(row.innerText()).resolves.toMatch(/sends_per_destination/);
    await page.screenshot({ path: join(SCREENSHOTS, "blocks.png"), fullPage: true });
    await row.getByRole("button", { name: "Lift" }).click();
    await page.fill('input[name="reason"]', "Customer verified by phone");
    await page.getByRole("button", { name: "Lift block" }).click();
    await page.getByText("Block lifted").waitFor();
    await row.waitFor({ state: "detached" });

    const [block] = await gw.app.db.ds.query(`SELECT lifted_by, lift_reason FROM rate_limit_blocks WHERE rule = 'sends_per_destination'`);
    expect(block).toEqual({ lifted_by: "agent@example.com", lift_reason: "Customer verified by phone" });
    expect((await request("+14155550188")).data?.requestOtp.status).toBe("PENDING");
    await settled();
    await page.context().close();
  });

  it("the providers page shows the failure rate the failed delivery produced", async () => {
    const rows: Array<{ outcome: string }> = await gw.app.db.ds.query(
      `SELECT a.outcome FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.provider = 'twilio' AND d.channel = 'SMS'`,
    );
    const failed = rows.filter((r) => r.outcome !== "SENT").length;
    expect(failed).toBe(1);
    const expected = `${((failed / rows.length) * 100).toFixed(1)}%`;

    const page = await signIn("agent@example.com");
    await page.click('a[href="#/providers"]');
    const row = page.locator("tbody tr").filter({ hasText: "twilio" }).filter({ hasText: "SMS" });
    await row.waitFor();
    await expect(row.getByTestId("failure-rate").first().innerText()).resolves.toBe(expected);
    await expect(row.innerText()).resolves.toContain("21211 × 1");
    await page.context().close();
  });

  it("the new channels and vendors appear once configured: providers page rows (telegram, twilio RCS, vonage RCS), the failure chart per provider and channel, channel choices from the enum", async () => {
    const page = await signIn("agent@example.com");
    // The home page's failure chart: one line per provider and channel that carried traffic.
    const legend = page.getByTestId("chart-provider-failures").locator(".recharts-legend-item");
    await expect.poll(() => legend.allInnerTexts(), { timeout: 15_000 }).toEqual(expect.arrayContaining(["telegram · TELEGRAM", "twilio · RCS", "twilio · SMS"]));

    await page.click('a[href="#/providers"]');
    const row = (provider: string, channel: string) => page.locator("tbody tr").filter({ has: page.locator("td", { hasText: new RegExp(`^${provider}$`) }) }).filter({ has: page.locator("td", { hasText: new RegExp(`^${channel}$`) }) });
    await row("telegram", "TELEGRAM").waitFor();
    await expect(row("telegram", "TELEGRAM").innerText()).resolves.toMatch(/#1[\s\S]*0\.0%[\s\S]*1 hand-offs: 1 sent/);
    await expect(row("twilio", "RCS").innerText()).resolves.toMatch(/#1[\s\S]*1 hand-offs: 1 sent/);
    // Configured without traffic yet: listed in its place, no rate.
    await expect(row("vonage", "RCS").innerText()).resolves.toMatch(/#2[\s\S]*0 hand-offs/);
    await page.screenshot({ path: join(SCREENSHOTS, "providers.png"), fullPage: true });

    // Filters offer every channel of the gateway's enum (admin API `channels`), the new ones included.
    await page.click('a[href="#/deliveries"]');
    await page.getByRole("button", { name: "Add filter" }).click();
    await page.locator('[role^="menuitem"]', { hasText: /^Channel$/ }).click();
    await page.getByLabel("Channel").click();
    await expect.poll(() => page.getByRole("option").allInnerTexts(), { timeout: 15_000 }).toEqual(expect.arrayContaining(["SMS", "VOICE", "EMAIL", "WHATSAPP", "TELEGRAM", "RCS"]));
    await page.context().close();
  });

  it("the delivery log shows every attempt and updates live as deliveries change", async () => {
    const page = await signIn("agent@example.com");
    await page.click('a[href="#/deliveries"]');
    await page.locator("tbody tr", { hasText: "21211" }).waitFor();
    const live = page.getByTestId("live-count");
    await live.waitFor();
    const before = await page.locator("tbody tr").count();
    await request("+14155550177");
    // The subscription pushes the new delivery's changes; the list refreshes with its row.
    await expect.poll(async () => Number((await live.innerText()).split(" ")[0]), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 15_000 }).toBe(before + 1);
    await page.screenshot({ path: join(SCREENSHOTS, "delivery-log.png"), fullPage: true });
    await settled();
    await page.context().close();
  });

  it("an ADMIN creates an app (its key shown once, and working) and rotates its key without downtime", async () => {
    const page = await signIn("lead@example.com");
    await page.click('a[href="#/apps"]');
    await page.getByRole("link", { name: "Create" }).click();
    await page.fill('input[name="name"]', "Checkout");
    await page.fill('input[name="maxSends"]', "3");
    await page.getByRole("button", { name: "Save" }).click();
    const keyField = page.getByTestId("new-api-key");
    await keyField.waitFor();
    const firstKey = await keyField.inputValue();
    expect(firstKey).toMatch(/^otpk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect((await request("+14155550150", firstKey)).data?.requestOtp.status).toBe("PENDING");
    const [app] = await gw.app.db.ds.query(`SELECT id, max_sends FROM apps WHERE name = 'Checkout'`);
    expect(app.max_sends).toBe(3);

    // A rotation without downtime: add a key (both work), then revoke the older ones.
    const keys = page.getByTestId("keys");
    await keys.waitFor();
    await page.getByRole("button", { name: "Add key" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await keyField.waitFor();
    const secondKey = await keyField.inputValue();
    expect(secondKey).not.toBe(firstKey);
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect((await request("+14155550151", firstKey)).data?.requestOtp.status).toBe("PENDING");
    expect((await request("+14155550152", secondKey)).data?.requestOtp.status).toBe("PENDING");
    await page.getByRole("button", { name: "Revoke older keys" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => keys.innerText(), { timeout: 15_000 }).toMatch(/revoked/);

    expect(errorCode(await request("+14155550153", firstKey))).toBe("UNAUTHENTICATED");
    expect((await request("+14155550154", secondKey)).data?.requestOtp.status).toBe("PENDING");
    const actions = (await gw.app.db.ds.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [app.id])).map((r: { action: string }) => r.action);
    expect(actions).toEqual(["app.create", "app.add_key", "app.revoke_older_keys"]);
    // The key appears in no audit row and no page text after the dialog closed.
    const [dump] = await gw.app.db.ds.query(`SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' ') AS t FROM audit_log`);
    expect(dump.t).not.toContain(firstKey.slice("otpk_".length + 17));
    expect(await page.content()).not.toContain(secondKey);
    await page.context().close();
  });

  it("an ADMIN issues an enrolment link on the Staff page; the colleague opens it, scans the secret, enters a code and is signed in", async () => {
    const colleague = await createStaff(gw, "newlead@example.com", "ADMIN");
    const page = await signIn("lead@example.com");
    await page.goto(`${gw.url}/admin/#/staff/${colleague.id}`);
    await page.getByTestId("issue-enrolment-link").click();
    const field = page.getByTestId("enrolment-link");
    await field.waitFor();
    const url = await field.inputValue();
    expect(url).toMatch(new RegExp(`^${gw.url}/admin/#/login\\?enrol=[A-Za-z0-9_-]{43}$`));
    await page.getByRole("button", { name: "Done" }).click();
    await page.context().close();

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-GB", timezoneId: "UTC" });
    const own = await context.newPage();
    own.setDefaultTimeout(15_000);
    await own.goto(url);
    await own.getByTestId("enrolment-form").waitFor();
    await own.fill('input[name="email"]', "newlead@example.com");
    await own.fill('input[name="password"]', STAFF_PASSWORD);
    await own.getByRole("button", { name: "Continue" }).click();
    const secret = await own.getByTestId("enrolment-secret").innerText();
    await expect(own.getByTestId("enrolment-qr").locator("svg").count()).resolves.toBe(1);
    await own.fill('input[name="code"]', await codeAt(secret));
    await own.getByRole("button", { name: "Finish and sign in" }).click();
    await own.getByText("Overview").waitFor();
    expect(own.url()).not.toContain("enrol=");
    const [row] = await gw.app.db.ds.query(`SELECT totp_secret_cipher IS NOT NULL AS enrolled FROM admin_users WHERE id = $1`, [colleague.id]);
    expect(row.enrolled).toBe(true);
    const actions = (await gw.app.db.ds.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [colleague.id])).map((r: { action: string }) => r.action);
    expect(actions).toEqual(["staff.enrolment_link_issued", "staff.totp_enrolment_started", "staff.totp_enrolled", "staff.login"]);
    await context.close();
  });
});
