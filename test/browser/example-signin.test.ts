import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExample, type RunningExample } from "../../examples/web-signin/server";
import { codeFromOutbox, eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";

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
    gw = await startGateway();
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const e of examples) await e.stop();
    await gw?.stop();
  });

  async function open(settings: Parameters<TestGateway["createApp"]>[0] = {}, init?: () => void): Promise<Page> {
    const { key } = await gw.createApp({ name: "Example Shop", ...settings });
    const example = await startExample({ gatewayUrl: gw.url, apiKey: key });
    examples.push(example);
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(example.url);
    return page;
  }

  const codeBox = (page: Page) => page.locator("otp-input input");

  it("request, live status, a wrong code with attempts left, letters refused, the code pasted, approved", async () => {
    const page = await open();
    await page.fill("#destination", "+1 415 555 0123");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    expect(await page.locator("#masked").innerText()).toBe("+1******0123");
    // The live status comes from the gateway's subscription, relayed as Server-Sent Events.
    await expect.poll(() => page.locator("#delivery").getAttribute("data-status"), { timeout: 15_000 }).toBe("SENT");
    expect(await page.locator("#delivery").innerText()).toContain("sent");
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

    // A paste of the whole message, with more digits after the code: the words go, the box keeps
    // exactly six digits, and a complete code verifies itself.
    await codeBox(page).evaluate((el, text) => {
      const data = new DataTransfer();
      data.setData("text", text);
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, `Your code: ${code.slice(0, 3)}-${code.slice(3)} (ref 99)`);
    await page.locator("#done").waitFor();
    expect(await page.locator("#done").innerText()).toContain("signed in");
  });

  it("a slow SMS offers a call once the countdown allows a resend; the call's code signs in", async () => {
    // Cooldowns long enough that a loaded machine cannot outrun them between two checks (5 s, then 10 s).
    const page = await open({ resendCooldownSeconds: 5 });
    // The page waits 20 s for "delivered" before offering a call; the outbox never reports it.
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
    expect(await page.locator("otp-input").getAttribute("data-filled-by")).toBe("webotp");

    await page.reload();
    await page.fill("#destination", "+14155550125");
    await page.click("#send");
    await expect.poll(() => page.locator("#message").innerText(), { timeout: 15_000 }).toMatch(/^Too many tries\. Please wait \d+ (s|min \d+ s) and try again\.$/);
    expect(await page.locator("#enter").isHidden()).toBe(true);
  });
});
