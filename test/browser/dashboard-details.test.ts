import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardDist } from "../../server/src/admin/http/dashboard-static";
import { AdminClient, createStaff } from "../helpers/admin";
import { eventually } from "../helpers/codes";
import { launchChromium, signInToDashboard } from "../helpers/browser";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { WebhookReceiver } from "../helpers/webhook-receiver";

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(__dirname, "../../docs/screenshots") : mkdtempSync(join(tmpdir(), "otpg-screens-"));

/**
 * The dashboard's small print, read as staff read it (Chromium against the BUILT dashboard, a
 * browser set to US English, whose own time format is 12-hour): a webhook the app's backend
 * accepted is a success, the timeline's kinds and sentences are words, one time format on every
 * page, the staff page named by e-mail, distinct hand-off and delivery badges, limit overrides in
 * words, an empty list that keeps its search, phone-width pages without sideways scrolling, a
 * first download without the charts, and a number typed the way a US customer says it.
 */
describe("dashboard details in a browser", { timeout: 120_000 }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let shop: { id: string; key: string };
  let accepted: string;
  let refused: string;
  let agentId: string;

  const request = (destination: string) => gql(gw.url, shop.key, REQUEST_OTP, { input: { destination, channel: "SMS", purpose: "login" } });
  const attemptsOf = async (verificationId: string): Promise<Array<{ status_code: number | null }>> =>
    gw.app.db.ds.query(
      `SELECT wa.status_code FROM webhook_attempts wa JOIN webhook_messages wm ON wm.id = wa.message_id JOIN webhook_events we ON we.id = wm.event_id WHERE we.verification_id = $1`,
      [verificationId],
    );

  beforeAll(async () => {
    if (!existsSync(join(dashboardDist(), "index.html"))) throw new Error("The dashboard is not built: run `npm run build:admin` (npm test does)");
    mkdirSync(SCREENSHOTS, { recursive: true });
    receiver = await WebhookReceiver.start();
    gw = await startGateway({ env: { WEBHOOK_POLL_MS: "100", WEBHOOK_RETRY_BASE_MS: "600000" } });
    shop = await gw.createApp({ name: "Shop" });
    await gw.createApp({ name: "Tuned", settings: { limits: { sendsPerIp: { max: 20, windowSeconds: 3600 }, sendsPerCountry: null, pumping: { mode: "record_only" } } } as never });
    agentId = (await createStaff(gw, "agent@example.com", "SUPPORT")).id;
    await createStaff(gw, "lead@example.com", "ADMIN");
    const lead = await AdminClient.signedIn(gw.url, "lead@example.com");
    const hook = await lead.gql(`mutation($a: ID!, $u: String!) { addWebhookEndpoint(appId: $a, url: $u) { endpoint { id } } }`, { a: shop.id, u: receiver.url });
    expect(hook.errors).toBeUndefined();

    // The backend accepts the first verification's events (HTTP 200) and refuses the second's (HTTP 500).
    accepted = (await request("+12025550143")).data.requestOtp.id;
    await eventually(async () => ((await attemptsOf(accepted)).some((a) => a.status_code === 200) ? true : undefined), "a webhook answered 200", 20_000);
    // Every later event of the first verification (its delivery's updates too) is accepted; the second's are refused.
    receiver.respond = (w) => ((w.json?.data?.verificationId ?? w.json?.data?.id) === accepted ? 200 : 500);
    refused = (await request("+12025550144")).data.requestOtp.id;
    await eventually(async () => ((await attemptsOf(refused)).some((a) => a.status_code === 500) ? true : undefined), "a webhook answered 500", 20_000);
    await eventually(async () => ((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE status IN ('QUEUED', 'SENDING')`))[0].n === 0 ? true : undefined), "deliveries handed off", 20_000);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await receiver?.stop();
  });

  // A US-English browser, whose own time format is 12-hour: the dashboard's must not follow it.
  const signIn = (email: string, viewport = { width: 1440, height: 900 }): Promise<Page> => signInToDashboard(browser, gw.url, email, viewport, "en-US");

  it("a webhook the backend answered HTTP 200 is shown as accepted, a 500 as the error; kinds and sentences in words", async () => {
    const page = await signIn("agent@example.com");
    await page.goto(`${gw.url}/admin/#/verifications/${accepted}/show`);
    const webhook = page.locator('[data-kind="WEBHOOK_ATTEMPT"]').first();
    await webhook.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "timeline-webhook.png"), fullPage: true });
    const text = await webhook.innerText();
    expect(text).toMatch(/^Webhook/im);
    expect(text).toContain("HTTP 200");
    expect(text).toMatch(/accepted/);
    expect(await page.getByTestId("webhook-error").count()).toBe(0);
    expect(await page.getByTestId("vendor-error").count()).toBe(0);
    expect(await webhook.getByTestId("webhook-answer").evaluate((el) => getComputedStyle(el).color)).toMatch(/rgb\(46, 125, 50\)|rgb\(27, 94, 32\)|rgb\(56, 142, 60\)/);
    const timeline = await page.getByTestId("timeline").innerText();
    expect(timeline).toContain('Shop requested an SMS code for "login"');
    // No raw enum names as labels (WEBHOOK_ATTEMPT, DELIVERY_ATTEMPT…), and statuses inside sentences as words.
    expect(timeline).not.toMatch(/[A-Z]+_[A-Z]+/);
    expect(timeline).toContain("Delivery queued via outbox");
    expect(timeline).toContain("outbox reported delivered");

    await page.goto(`${gw.url}/admin/#/verifications/${refused}/show`);
    const error = page.getByTestId("webhook-error").first();
    await error.waitFor();
    expect(await error.innerText()).toMatch(/127\.0\.0\.1:\d+ answered HTTP 500/);
    await page.context().close();
  });

  it("one time format (24-hour with seconds) in lists and details, whatever the browser's language", async () => {
    const page = await signIn("agent@example.com");
    const [row] = await gw.app.db.ds.query(`SELECT created_at FROM verifications WHERE id = $1`, [accepted]);
    const d = new Date(row.created_at);
    const p = (n: number) => String(n).padStart(2, "0");
    const expected = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
    await page.click('a[href="#/verifications"]');
    const listRow = page.locator("tbody tr", { hasText: "+1******0143" });
    await listRow.waitFor();
    expect(await listRow.innerText()).toContain(expected);
    const body = async () => page.locator("body").innerText();
    expect(await body()).not.toMatch(/\b(AM|PM)\b/);
    await listRow.click();
    await page.getByTestId("timeline").waitFor();
    expect(await body()).toContain(expected);
    expect(await body()).not.toMatch(/\b(AM|PM)\b/);
    // The timeline: the same clock, to the millisecond.
    expect(await page.getByTestId("timeline").innerText()).toMatch(new RegExp(`${expected.slice(11)}\\.\\d{3}`));
    await page.click('a[href="#/deliveries"]');
    await page.locator("tbody tr").first().waitFor();
    expect(await page.locator("tbody tr").first().innerText()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(await body()).not.toMatch(/\b(AM|PM)\b/);
    await page.context().close();
  });

  it("SUPPORT finds '(202) 555-0143' (the traffic is US) as the whole number, without an error", async () => {
    const page = await signIn("agent@example.com");
    await page.click('a[href="#/verifications"]');
    await page.fill('input[name="q"]', "(202) 555-0143");
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator("tbody tr").first().innerText()).toContain("+1******0143");
    expect(await page.locator(".MuiSnackbarContent-root, .MuiAlert-root").count()).toBe(0);
    await page.context().close();
  });

  it("the delivery log's hand-off and delivery badges say two different things", async () => {
    const page = await signIn("agent@example.com");
    await page.click('a[href="#/deliveries"]');
    const row = page.locator("tbody tr").first();
    await row.waitFor();
    const chips = await row.locator(".MuiChip-label").allInnerTexts();
    expect(chips[0]).toBe("accepted");
    expect(chips[1]).not.toBe(chips[0]);
    await page.context().close();
  });

  it("ADMIN reads the staff page titled by e-mail and an app's limit overrides in words; sets its SIM-swap check (flag, then refuse), read back after a reload; SUPPORT can't change it", async () => {
    const page = await signIn("lead@example.com");
    await page.goto(`${gw.url}/admin/#/staff/${agentId}`);
    await expect.poll(() => page.getByTestId("staff-title").innerText(), { timeout: 15_000 }).toBe("Staff: agent@example.com");
    expect(await page.title()).not.toContain(agentId);
    expect(await page.locator("header").innerText()).not.toContain(agentId);

    await page.goto(`${gw.url}/admin/#/apps/${shop.id}/show`);
    await expect.poll(() => page.getByTestId("limit-overrides").innerText(), { timeout: 15_000 }).toBe("defaults");
    expect(await page.locator("#react-admin-title").innerText()).toBe("App: Shop");
    await page.click('a[href="#/apps"]');
    await page.locator("tbody tr", { hasText: "Tuned" }).click();
    await expect.poll(() => page.getByTestId("limit-overrides").innerText(), { timeout: 15_000 }).toContain("Sends per IP: 20 per 1 h");
    const limits = await page.getByTestId("limit-overrides").innerText();
    expect(limits).toContain("Sends per country: off");
    expect(limits).toContain("Pumping: mode record_only");
    expect(limits).not.toContain("{");

    // The SIM-swap check: chosen on the app's edit page, saved, and shown after a reload.
    const choose = async (option: RegExp, hours: string) => {
      await page.goto(`${gw.url}/admin/#/apps/${shop.id}`);
      await page.getByRole("combobox", { name: "When the SIM changed recently" }).click();
      await page.getByRole("option", { name: option }).click();
      await page.fill('input[name="simSwap.maxAgeHours"]', hours);
      await page.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/\/show$/);
    };
    await choose(/^Flag/, "48");
    await page.reload();
    await expect.poll(() => page.locator("body").innerText(), { timeout: 15_000 }).toContain("flag, SIM changed within 48 h");
    await choose(/^Refuse/, "12");
    // The form, loaded afresh, shows what was saved.
    await page.goto(`${gw.url}/admin/#/apps/${shop.id}`);
    await page.reload();
    await expect.poll(() => page.getByRole("combobox", { name: "When the SIM changed recently" }).innerText(), { timeout: 15_000 }).toMatch(/^Refuse/);
    expect(await page.inputValue('input[name="simSwap.maxAgeHours"]')).toBe("12");
    const [row] = await gw.app.db.ds.query(`SELECT settings->'simSwap' AS s FROM apps WHERE id = $1`, [shop.id]);
    expect(row.s).toEqual({ maxAgeHours: 12, action: "refuse" });

    // App settings are ADMIN's: SUPPORT has no apps page (dashboard.test.ts), and the API refuses the change.
    const support = await AdminClient.signedIn(gw.url, "agent@example.com");
    const refused = await support.gql(`mutation($id: ID!, $input: AppInput!) { updateApp(id: $id, input: $input) { id } }`, { id: shop.id, input: { simSwap: null } });
    expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await gw.app.db.ds.query(`SELECT settings->'simSwap' AS s FROM apps WHERE id = $1`, [shop.id]))[0].s).toEqual({ maxAgeHours: 12, action: "refuse" });
    // Back off, so the other cases here send their codes unchecked (no SIM-swap service is configured here anyway).
    const lead = await AdminClient.signedIn(gw.url, "lead@example.com");
    expect((await lead.gql(`mutation($id: ID!) { updateApp(id: $id, input: { simSwap: null }) { simSwap { action } } }`, { id: shop.id })).data.updateApp.simSwap).toBeNull();
    await page.context().close();
  });

  it("an empty Authenticators page keeps its search", async () => {
    const page = await signIn("agent@example.com");
    await page.click('a[href="#/totpFactors"]');
    await page.locator('input[name="subject"]').waitFor();
    await expect.poll(() => page.locator("body").innerText(), { timeout: 15_000 }).toContain("No Authenticators found");
    await page.context().close();
  });

  it("at phone width (390 px) the page never scrolls sideways: a wide table scrolls inside its own box", async () => {
    const page = await signIn("agent@example.com", { width: 390, height: 844 });
    for (const [path, name] of [["#/verifications", "verifications"], ["#/deliveries", "deliveries"]] as const) {
      await page.goto(`${gw.url}/admin/${path}`);
      await page.locator("tbody tr").first().waitFor();
      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, win: window.innerWidth }));
      expect(widths.doc, name).toBeLessThanOrEqual(widths.win);
      expect(widths.body, name).toBeLessThanOrEqual(widths.win);
      // The table itself is wider than the phone and scrolls within its own box.
      const table = await page.locator("table").first().evaluate((t) => {
        let box: HTMLElement | null = t.parentElement;
        while (box && getComputedStyle(box).overflowX !== "auto" && getComputedStyle(box).overflowX !== "scroll") box = box.parentElement;
        return { table: t.scrollWidth, box: box?.clientWidth ?? null };
      });
      expect(table.box, name).not.toBeNull();
      expect(table.box!, name).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(SCREENSHOTS, `phone-${name}.png`) });
    }
    await page.context().close();
    // The other page layouts staff open on a phone, ADMIN's too (charts, the timeline, detail cards,
    // expandable rows; the plain lists are the two above): none wider than the screen.
    const lead = await signIn("lead@example.com", { width: 390, height: 844 });
    for (const path of ["#/", `#/verifications/${accepted}/show`, "#/blocks", "#/providers", `#/apps/${shop.id}/show`, "#/audit", "#/spend"]) {
      await lead.goto(`${gw.url}/admin/${path}`);
      await expect.poll(async () => (await lead.locator("#main-content").innerText()).trim().length > 20, { timeout: 15_000 }).toBe(true);
      const widths = await lead.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: window.innerWidth }));
      expect(widths.doc, path).toBeLessThanOrEqual(widths.win);
      if (path.includes("/verifications/")) {
        // The timeline's time sits on its own line above the row, leaving the sentence the screen's width.
        const [time, body] = await lead.locator('[data-testid="timeline"] > [data-kind]').first().evaluate((row) =>
          [row.children[0], row.children[2]].map((c) => c.getBoundingClientRect().toJSON() as DOMRect));
        expect(time.bottom).toBeLessThanOrEqual(body.top + 1);
        expect(body.width).toBeGreaterThan(280);
      }
      // The page's title fits the bar beside its buttons: cut with an ellipsis, never under them.
      const title = await lead.locator("#react-admin-title").evaluate((t) => {
        const r = t.getBoundingClientRect();
        const next = t.nextElementSibling?.getBoundingClientRect();
        return { right: r.right, nextLeft: next?.left ?? window.innerWidth };
      });
      expect(title.right, path).toBeLessThanOrEqual(title.nextLeft + 0.5);
      if (process.env.UPDATE_SCREENSHOTS === "1") await lead.screenshot({ path: join(tmpdir(), `u21-phone-${path.replace(/[^a-z]+/g, "-")}.png`) });
    }
    await lead.context().close();
  });

  it("the first download (the sign-in screen) leaves the pages and the home page's charts for later", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const scripts: Array<{ url: string; bytes: number }> = [];
    page.on("response", async (r) => {
      if (r.url().endsWith(".js")) scripts.push({ url: r.url(), bytes: (await r.body()).length });
    });
    await page.goto(`${gw.url}/admin/`);
    await page.locator('input[name="email"]').waitFor();
    await expect.poll(() => scripts.length, { timeout: 15_000 }).toBeGreaterThan(1);
    const total = scripts.reduce((n, s) => n + s.bytes, 0);
    // 1.72 MB in one file before the split; React, MUI and react-admin are ~1.2 MB of it.
    expect(total).toBeLessThan(1_300_000);
    expect(scripts.map((s) => s.url).join(" ")).not.toMatch(/Dashboard|VerificationList|Timeline/);
    await context.close();
  });
  it("a workflow's steps and why each started, masked for SUPPORT, on the verification page and in its timeline", async () => {
    // The outbox's undeliverable number fails the SMS for good: the call to another number starts at once.
    const r = await gql(gw.url, shop.key, `mutation($input: RequestOtpInput!) { requestOtp(input: $input) { id } }`, {
      input: { destination: "+15005550001", channel: "SMS", next: [{ channel: "VOICE", destination: "+12025550177", afterSeconds: 60 }] },
    });
    const id = r.data.requestOtp.id;
    await eventually(async () => ((await gw.app.db.ds.query(`SELECT status FROM verification_steps WHERE verification_id = $1 AND position = 1`, [id]))[0].status === "ACTIVE" ? true : undefined), "the voice step", 20_000);
    const page = await signInToDashboard(browser, gw.url, "agent@example.com");
    await page.goto(`${gw.url}/admin/#/verifications/${id}/show`);
    const steps = page.getByTestId("workflow-steps");
    await steps.waitFor();
    const table = await steps.innerText();
    expect(table).toContain("+1******0177");
    expect(table).toContain("the SMS failed permanently");
    expect(table).toMatch(/VOICE[\s\S]*ACTIVE/);
    expect(table).not.toContain("2025550177");
    await expect.poll(() => page.getByTestId("timeline").innerText(), { timeout: 15_000 }).toContain("Step 2: VOICE to +1******0177 started: the SMS failed permanently");
    expect(await page.locator('[data-kind="STEP"]').innerText()).toMatch(/Workflow step/i);
    await page.screenshot({ path: join(SCREENSHOTS, "workflow-steps.png"), fullPage: true });
    await page.context().close();
  });
});
