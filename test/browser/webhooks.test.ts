import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardDist } from "../../server/src/admin/http/dashboard-static";
import { createStaff } from "../helpers/admin";
import { eventually } from "../helpers/codes";
import { launchChromium, signInToDashboard } from "../helpers/browser";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { WebhookReceiver } from "../helpers/webhook-receiver";

/**
 * An ADMIN wires an app to its backend in the built dashboard (Chromium): adds an endpoint, copies
 * the secret shown once, sees the app's events arrive with their outcome, resends one.
 */
describe("webhooks in the dashboard, in a browser", { timeout: 90_000 }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let app: { id: string; key: string };

  beforeAll(async () => {
    if (!existsSync(join(dashboardDist(), "index.html"))) throw new Error("The dashboard is not built: run `npm run build:admin` (npm test does)");
    receiver = await WebhookReceiver.start();
    gw = await startGateway({ env: { WEBHOOK_POLL_MS: "100" } });
    app = await gw.createApp({ name: "Storefront" });
    await createStaff(gw, "lead@example.com", "ADMIN");
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await receiver?.stop();
  });

  const signIn = (email: string): Promise<Page> => signInToDashboard(browser, gw.url, email, { width: 1440, height: 1200 });

  it("adds an endpoint (secret once), shows its deliveries with the receiver's answer, resends one with the same webhook-id", async () => {
    const page = await signIn("lead@example.com");
    await page.goto(`${gw.url}/admin/#/apps/${app.id}/show`);
    await page.getByTestId("webhook-new").click();
    await page.getByTestId("webhook-url").fill("ftp://nowhere.example");
    await page.getByTestId("webhook-add").click();
    await expect(page.getByTestId("webhook-error").innerText()).resolves.toMatch(/http/);
    await page.getByTestId("webhook-url").fill(receiver.url);
    await page.getByLabel("verification.pending").check();
    await page.getByTestId("webhook-add").click();
    const secretField = page.getByTestId("webhook-secret");
    await secretField.waitFor();
    receiver.secret = await secretField.inputValue();
    expect(receiver.secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "I have stored it" }).click();
    const endpoints = page.getByTestId("webhooks");
    await expect.poll(() => endpoints.innerText(), { timeout: 15_000 }).toContain(receiver.url);
    expect(await endpoints.innerText()).toContain("verification.pending");

    const v = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550177", channel: "SMS" } })).data.requestOtp;
    const got = await eventually(() => receiver.accepted().find((r) => r.json.data.id === v.id), "the event at the receiver");
    expect(got.verified).toBe(true); // signed with the secret the page showed

    await endpoints.getByRole("button", { name: "Deliveries" }).click();
    const message = page.getByTestId("webhook-message").first();
    await expect.poll(() => message.innerText(), { timeout: 15_000 }).toMatch(/verification\.pending[\s\S]*DELIVERED[\s\S]*200/);
    expect(await message.innerText()).toContain(got.id);
    await message.getByRole("button", { name: "Resend" }).click();
    await eventually(() => (receiver.accepted().filter((r) => r.id === got.id).length === 2 ? true : undefined), "the resent event");

    expect(await page.content()).not.toContain(receiver.secret);
    const actions = (await gw.app.db.ds.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [app.id])).map((r: { action: string }) => r.action);
    expect(actions).toEqual(["webhook.add", "webhook.resend"]);
    await page.context().close();
  });
});
