import { chromium, type Browser, type Page } from "playwright-core";
import { STAFF_PASSWORD } from "./admin";

/** Debian's Chromium, headless, as the browser tests drive it (never a downloaded one). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

/** A fresh browser context signed in to the dashboard at `gatewayUrl` as `email`, on the home page (in UTC, the browser's language `locale`). */
export async function signInToDashboard(browser: Browser, gatewayUrl: string, email: string, viewport = { width: 1440, height: 900 }, locale = "en-GB"): Promise<Page> {
  const context = await browser.newContext({ viewport, locale, timezoneId: "UTC" });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${gatewayUrl}/admin/`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', STAFF_PASSWORD);
  await page.click('button[type="submit"]');
  await page.getByText("Overview").waitFor();
  return page;
}
