import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExample, type ExampleOptions, type RunningExample } from "../../examples/web-signin/server";
import { codeFromOutbox, eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";

// The README's pictures are refreshed on request (UPDATE_SCREENSHOTS=1); otherwise a test run leaves the checkout clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(__dirname, "../../examples/web-signin/screenshots") : mkdtempSync(join(tmpdir(), "otpg-signin-"));

/**
 * The reference sign-in (examples/web-signin) as a person uses it: Debian's Chromium against the
 * example's backend, which talks to a real gateway on its default outbox provider. Codes are read
 * off the outbox, as a developer reads them off the log.
 */
describe("reference sign-in in a browser", { timeout: 90_000 }, () => {
  let gw: TestGateway;
  let browser: Browser;
  const examples: RunningExample[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The outbox reports "delivered" after 3 s: long enough to see "sent" first, and for the slow-SMS case's 300 ms.
    gw = await startGateway({ env: { OUTBOX_DELIVERY_DELAY_MS: "3000" } });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const e of examples) await e.stop();
    await gw?.stop();
  });

  async function open(
    settings: Parameters<TestGateway["createApp"]>[0] = {},
    init?: () => void,
    view: { width: number; height: number; dark?: boolean } = { width: 1280, height: 800 },
    exampleOptions: Partial<ExampleOptions> = {},
  ): Promise<Page> {
    const { id, key } = await gw.createApp({ name: "Example Shop", ...settings });
    const example = await startExample({ gatewayUrl: gw.url, apiKey: key, appId: id, ...exampleOptions });
    examples.push(example);
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", viewport: { width: view.width, height: view.height }, colorScheme: view.dark ? "dark" : "light" });
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(example.url);
    return page;
  }

  const codeBox = (page: Page) => page.locator("#code-box");
  const styleOf = (page: Page, selector: string) =>
    page.locator(selector).evaluate((el) => {
      const cs = getComputedStyle(el);
      return { color: cs.color, background: cs.backgroundColor, cursor: cs.cursor };
    });

  it("a country picker formats the number as it is typed; an invalid number is refused in words before anything is sent; screenshots at 390 and 1280 px", async () => {
    for (const [width, name] of [[390, "phone"], [1280, "desktop"]] as const) {
      const page = await open({}, undefined, { width, height: 800 });
      // Labels name every field (what a screen reader says).
      expect(await page.getByLabel("Country").count()).toBe(1);
      expect(await page.getByLabel("Phone number").count()).toBe(1);
      expect(await page.locator("#country").inputValue()).toBe("US"); // the browser's region
      await page.locator("#destination").pressSequentially("2025550150");
      expect(await page.locator("#destination").inputValue()).toBe("(202) 555-0150");
      await page.selectOption("#country", "GB");
      await page.fill("#destination", "");
      await page.locator("#destination").pressSequentially("07400123456");
      expect(await page.locator("#destination").inputValue()).toBe("07400 123456");
      // A number with its + picks its own country.
      await page.fill("#destination", "");
      await page.locator("#destination").pressSequentially("+33612345678");
      expect(await page.locator("#destination").inputValue()).toBe("+33 6 12 34 56 78");
      expect(await page.locator("#country").inputValue()).toBe("FR");
      await page.screenshot({ path: join(SCREENSHOTS, `start-${name}.png`) });

      await page.selectOption("#country", "US");
      await page.fill("#destination", "");
      await page.locator("#destination").pressSequentially("555 01");
      await page.click("#send");
      await expect.poll(() => page.locator("#destination-error").innerText()).toBe("That isn't a valid United States number. Check the digits, or pick the right country.");
      expect(await page.locator("#destination").getAttribute("aria-invalid")).toBe("true");
      expect(await styleOf(page, "#destination-error")).toMatchObject({ color: "rgb(179, 38, 30)" });
      expect(await page.locator("#enter").isHidden()).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, `invalid-${name}.png`) });
      await page.context().close();
    }
  });

  it("a disabled resend looks disabled; change-number goes back with the number kept; the new number's code signs in (dark)", async () => {
    const page = await open({}, undefined, { width: 390, height: 800, dark: true });
    await page.locator("#destination").pressSequentially("4155550126");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    expect(await page.locator("#resend").isDisabled()).toBe(true);
    const disabled = await styleOf(page, "#resend");
    expect(disabled.cursor).toBe("not-allowed");
    // Not the enabled secondary button's colours (the old `button#resend` rule won over `button[disabled]`).
    const enabled = await page.locator("#resend").evaluate((el: HTMLButtonElement) => {
      el.disabled = false;
      const cs = getComputedStyle(el);
      const out = { color: cs.color, background: cs.backgroundColor };
      el.disabled = true;
      return out;
    });
    expect(disabled.background).not.toBe(enabled.background);
    expect(disabled.color).not.toBe(enabled.color);
    expect(await page.locator("#delivery").getAttribute("aria-live")).toBe("polite");
    await page.screenshot({ path: join(SCREENSHOTS, "code-phone-dark.png") });

    await page.getByRole("button", { name: "Change number" }).click();
    await page.locator("#start").waitFor();
    expect(await page.locator("#destination").inputValue()).toBe("(415) 555-0126");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("destination");
    await page.fill("#destination", "");
    await page.locator("#destination").pressSequentially("4155550127");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    expect(await page.locator("#masked").innerText()).toBe("+1******0127");
    await codeBox(page).pressSequentially(await codeFromOutbox(gw.logs, "+14155550127"));
    await page.locator("#done").waitFor();
    await page.context().close();
  });

  it("request, live status, a wrong code with attempts left, letters refused, the code pasted, approved", async () => {
    const page = await open();
    await page.fill("#destination", "+1 415 555 0123");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    expect(await page.locator("#masked").innerText()).toBe("+1******0123");
    // The live status comes from the gateway's subscription, relayed as Server-Sent Events.
    await expect.poll(() => page.locator("#delivery").getAttribute("data-status"), { timeout: 15_000 }).toBe("SENT");
    expect(await page.locator("#delivery").innerText()).toContain("sent");
    // Then the outbox plays the phone: "delivered", as a vendor's receipt would say.
    await expect.poll(() => page.locator("#delivery").getAttribute("data-status"), { timeout: 15_000 }).toBe("DELIVERED");
    expect(await page.locator("#delivery").innerText()).toBe("Code: delivered");
    // The resend button counts down to resendAvailableAt (30 s by default).
    expect(await page.locator("#resend").isDisabled()).toBe(true);
    expect(await page.locator("#countdown").innerText()).toMatch(/^Resend in 0:(2\d|30)$/);
    // The box: a numeric keyboard, the one-time-code autofill hint, six digits.
    expect(await codeBox(page).getAttribute("inputmode")).toBe("numeric");
    expect(await codeBox(page).getAttribute("autocomplete")).toBe("one-time-code");

    const code = await codeFromOutbox(gw.logs, "+14155550123");
    await codeBox(page).pressSequentially("abc");
    expect(await codeBox(page).inputValue()).toBe("");
    const wrong = code === "000000" ? "111111" : "000000";
    await codeBox(page).pressSequentially(wrong);
    await expect.poll(() => page.locator("#attempts").innerText(), { timeout: 15_000 }).toBe("That code isn't right. 4 attempts left.");
    expect(await codeBox(page).inputValue()).toBe("");
    // Styled as an error: red on a red-tinted panel, announced (role="alert").
    expect(await styleOf(page, "#attempts")).toMatchObject({ color: "rgb(179, 38, 30)", background: "rgb(253, 236, 234)" });
    expect(await page.locator("#attempts").getAttribute("role")).toBe("alert");

    // A paste of the whole message, with more digits after the code: the words go, the box keeps
    // exactly six digits, and a complete code verifies itself.
    await codeBox(page).evaluate((el, text) => {
      const data = new DataTransfer();
      data.setData("text", text);
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, `Your code: ${code.slice(0, 3)}-${code.slice(3)} (ref 99)`);
    await page.locator("#done").waitFor();
    expect(await page.locator("#done").innerText()).toContain("signed in");
    await page.screenshot({ path: join(SCREENSHOTS, "signed-in-desktop.png") });
  });

  it("a slow SMS offers a call once the countdown allows a resend; the call's code signs in", async () => {
    // Cooldowns long enough that a loaded machine cannot outrun them between two checks (5 s, then 10 s).
    const page = await open({ resendCooldownSeconds: 5 });
    // The page waits 20 s for "delivered" before offering a call; here 300 ms, well before the outbox reports it (3 s).
    await page.evaluate(() => (document.getElementById("enter")!.dataset.slowDeliveryMs = "300"));
    await page.fill("#destination", "+14155550124");
    await page.click("#send");
    await page.locator("#voice").waitFor();
    expect(await page.locator("#voice").isDisabled()).toBe(true);
    await expect.poll(() => page.locator("#voice").isDisabled(), { timeout: 15_000 }).toBe(false);
    expect(await page.locator("#countdown").innerText()).toBe("");
    await page.click("#voice");
    await expect.poll(() => page.locator("#delivery").innerText(), { timeout: 15_000 }).toMatch(/^Call: /);
    const voiceCode = await eventually(() => {
      const line = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.outbox?.channel === "VOICE" && l.outbox.to === "+14155550124");
      return line ? extractCode(line.outbox.body) : undefined;
    }, "the voice script");
    // After a resend the countdown starts again, doubled (10 s).
    expect(await page.locator("#resend").isDisabled()).toBe(true);
    await codeBox(page).pressSequentially(voiceCode);
    await page.locator("#done").waitFor();
  });

  it("WebOTP fills the box from the SMS where the browser has it; a second request is rate limited with the wait shown", async () => {
    // Chromium's WebOTP needs an SMS on an Android phone; stand in for the browser's side of it.
    const page = await open({ maxSends: 1 }, () => {
      (window as any).OTPCredential = function OTPCredential() {};
      Object.defineProperty(navigator, "credentials", {
        value: {
          get: (opts: { otp?: { transport: string[] } }) =>
            new Promise((resolve) => {
              if (!opts.otp?.transport.includes("sms")) return;
              const t = setInterval(() => {
                const code = (window as any).__smsCode;
                if (code) {
                  clearInterval(t);
                  resolve({ type: "otp", code });
                }
              }, 50);
            }),
        },
      });
    });
    await page.fill("#destination", "+14155550125");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    const code = await codeFromOutbox(gw.logs, "+14155550125");
    await page.evaluate((c) => ((window as any).__smsCode = c), code);
    await page.locator("#done").waitFor();
    expect(await page.locator("otp-input#code").getAttribute("data-filled-by")).toBe("webotp");

    await page.reload();
    await page.fill("#destination", "+14155550125");
    await page.click("#send");
    await expect.poll(() => page.locator("#message").innerText(), { timeout: 15_000 }).toMatch(/^Too many tries\. Please wait \d+:\d\d and try again\.$/);
    expect(await page.locator("#enter").isHidden()).toBe(true);
    // The wait counts down live, and the send button stays disabled while it lasts.
    const waitOf = async () => {
      const [, m, sec] = /(\d+):(\d\d)/.exec(await page.locator("#message").innerText())!;
      return Number(m) * 60 + Number(sec);
    };
    const first = await waitOf();
    await expect.poll(waitOf, { timeout: 5_000 }).toBeLessThan(first);
    expect(await page.locator("#send").isDisabled()).toBe(true);
    expect(await page.locator("#message").getAttribute("class")).toContain("error");
  });
});
