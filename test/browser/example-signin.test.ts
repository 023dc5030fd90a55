import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExample, type ExampleOptions, type RunningExample } from "../../examples/web-signin/server";
import { CamaraSimSwapFake } from "../fakes/camara-sim-swap-fake";
import { TelegramGatewayFake } from "../fakes/telegram-gateway-fake";
import { enroll, phoneCode, verifyTotp, wrongCode } from "../helpers/totp";
import { codeFromOutbox, eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";

const TELEGRAM_TOKEN = "AAHtelegram-example-signin-token-0123456789";
/** Telegram reports to https only: PUBLIC_URL as deployed, the stand-in's `deliverTo` plays the TLS proxy. */
const PUBLIC_URL = "https://signin.example.test";
/**
 * Workflow timers run at a tenth of their time here (AppOptions.stepTimeScale): the example's real
 * "WhatsApp, then SMS after 60 s" becomes 6 s of wall time, and the page counts down what the
 * gateway says (steps[].startsAt), so it shows 0:06 rather than 1:00.
 */
const STEP_TIME_SCALE = 0.1;
const CAMARA_CLIENT = { clientId: "example-signin", clientSecret: "example-signin-secret" };

// The README's pictures are refreshed on request (UPDATE_SCREENSHOTS=1); otherwise a test run leaves the checkout clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(__dirname, "../../examples/web-signin/screenshots") : mkdtempSync(join(tmpdir(), "otpg-signin-"));

/**
 * The reference sign-in (examples/web-signin) as a person uses it: Debian's Chromium against the
 * example's backend, which talks to a real gateway on its default outbox provider. Codes are read
 * off the outbox, as a developer reads them off the log.
 */
describe("reference sign-in in a browser", { timeout: 90_000 }, () => {
  let gw: TestGateway;
  let telegram: TelegramGatewayFake;
  let camara: CamaraSimSwapFake;
  /** The app the latest open() created (its key enrols authenticators for the step-up). */
  let lastApp: { id: string; key: string };
  let browser: Browser;
  const examples: RunningExample[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The outbox reports "delivered" after 3 s: long enough to see "sent" first, and for the slow-SMS case's 300 ms.
    camara = await CamaraSimSwapFake.start(CAMARA_CLIENT);
    telegram = await TelegramGatewayFake.start({ token: TELEGRAM_TOKEN, deliverTo: (u) => u.replace(PUBLIC_URL, gw.url) });
    gw = await startGateway({
      env: {
        OUTBOX_DELIVERY_DELAY_MS: "3000", PUBLIC_URL, TELEGRAM_GATEWAY_TOKEN: TELEGRAM_TOKEN, TELEGRAM_GATEWAY_API_BASE_URL: telegram.url,
        // Only apps with a simSwap setting are checked.
        SIM_SWAP_API_BASE_URL: camara.apiBaseUrl, SIM_SWAP_TOKEN_URL: camara.tokenUrl, SIM_SWAP_CLIENT_ID: CAMARA_CLIENT.clientId, SIM_SWAP_CLIENT_SECRET: CAMARA_CLIENT.clientSecret,
      },
      stepTimeScale: STEP_TIME_SCALE,
    });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const e of examples) await e.stop();
    await gw?.stop();
    await telegram?.stop();
    await camara?.stop();
  });

  async function open(
    settings: Parameters<TestGateway["createApp"]>[0] = {},
    init?: () => void,
    view: { width: number; height: number; dark?: boolean } = { width: 1280, height: 800 },
    exampleOptions: Partial<ExampleOptions> = {},
  ): Promise<Page> {
    const { id, key } = (lastApp = await gw.createApp({ name: "Example Shop", ...settings }));
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
      // An app that serves the US only: the gateway's own refusal gets its own words (below).
      const page = await open({ countries: ["US"] }, undefined, { width, height: 800 });
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
      // The channel choices line up with the fields, one full-width row each (no fieldset indent, no ragged rows).
      const field = (await page.locator("#destination").boundingBox())!;
      for (const box of await page.locator("fieldset label").evaluateAll((ls) => ls.map((l) => l.getBoundingClientRect().toJSON() as DOMRect))) {
        expect(Math.abs(box.x - field.x), name).toBeLessThan(1);
        expect(Math.abs(box.width - field.width), name).toBeLessThan(1);
      }
      await page.screenshot({ path: join(SCREENSHOTS, `start-${name}.png`) });

      await page.selectOption("#country", "US");
      await page.fill("#destination", "");
      await page.locator("#destination").pressSequentially("555 01");
      await page.click("#send");
      await expect.poll(() => page.locator("#destination-error").innerText(), { timeout: 15_000 }).toBe("That isn't a valid United States number. Check the digits, or pick the right country.");
      expect(await page.locator("#destination").getAttribute("aria-invalid")).toBe("true");
      expect(await styleOf(page, "#destination-error")).toMatchObject({ color: "rgb(179, 38, 30)" });
      expect(await page.locator("#enter").isHidden()).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, `invalid-${name}.png`) });
      if (name === "phone") {
        // A valid number the gateway refuses (a country the app doesn't serve): said as that, not "check the digits".
        await page.selectOption("#country", "GB");
        await page.fill("#destination", "");
        await page.locator("#destination").pressSequentially("07400123456");
        await page.click("#send");
        await expect.poll(() => page.locator("#message").innerText(), { timeout: 15_000 }).toBe("We can't send codes to United Kingdom numbers.");
        expect(await page.locator("#message").getAttribute("class")).toContain("error");
        expect(await page.locator("#enter").isHidden()).toBe(true);
      }
      await page.context().close();
    }
  });

  it("a disabled resend looks disabled; change-number goes back with the number kept; the new number's code signs in (dark)", async () => {
    const page = await open({}, undefined, { width: 390, height: 800, dark: true });
    await page.locator("#destination").pressSequentially("4155550126");
    // The loading state, seen while the backend's answer is held back: disabled, a spinner, aria-busy.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route("**/api/request", async (route) => {
      await held;
      await route.continue();
    });
    await page.click("#send");
    await expect.poll(() => page.locator("#send").getAttribute("aria-busy"), { timeout: 15_000 }).toBe("true");
    expect(await page.locator("#send").isDisabled()).toBe(true);
    expect(await page.locator("#send .spinner").isVisible()).toBe(true);
    release();
    await page.locator("#enter").waitFor();
    await page.unroute("**/api/request");
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
    // The start screen in dark at desktop width too (the README's fourth corner).
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: join(SCREENSHOTS, "start-desktop-dark.png") });
    await page.setViewportSize({ width: 390, height: 800 });
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
    await expect.poll(async () => `${await page.locator("#delivery").innerText()} | ${await page.locator("#message").innerText()}`, { timeout: 15_000 }).toMatch(/^Call: /);
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
  /** The code of the newest outbox message to `to` on `channel` (the WhatsApp and the SMS of one workflow carry the same code). */
  const outboxCode = (to: string, channel: string) =>
    eventually(() => {
      const line = gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.outbox?.channel === channel && l.outbox.to === to).at(-1);
      return line ? extractCode(line.outbox.body) : undefined;
    }, `the ${channel} message to ${to}`);
  const stepTexts = (page: Page) => page.locator("#step-list li").allInnerTexts();

  it("WhatsApp first, then a text message: step 1 of 2 counts down to the SMS; not verified, the SMS step starts and its code (the same) signs in", async () => {
    const page = await open({}, undefined, { width: 390, height: 800 });
    await page.check('input[name="option"][value="WHATSAPP_THEN_SMS"]');
    expect(await page.locator("#whatsapp-note").isVisible()).toBe(true);
    expect(await page.locator("#telegram-note").isVisible()).toBe(false);
    await page.fill("#destination", "+14155550131");
    await page.click("#send");
    await page.locator("#steps").waitFor();
    expect(await page.locator("#step-current").innerText()).toBe("Step 1 of 2");
    expect(await stepTexts(page)).toEqual(["WhatsApp: now", "Text message: next"]);
    expect(await page.locator("#step-list li[aria-current=step]").innerText()).toBe("WhatsApp: now");
    // Once the WhatsApp message is handed off, the SMS has a start time: the page counts down to it.
    await expect.poll(() => page.locator("#step-next").innerText(), { timeout: 15_000 }).toMatch(/^Text message in 0:0[1-6], unless you enter the code first$/);
    expect(await page.locator("#step-note").innerText()).toBe("The same code works whichever message you use.");
    await expect.poll(() => page.locator("#delivery").innerText(), { timeout: 15_000 }).toMatch(/^WhatsApp: /);
    // No "call me instead" while a step is still to come: the workflow moves on by itself.
    expect(await page.locator("#voice").isHidden()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, "workflow-phone.png") });
    const whatsappCode = await outboxCode("+14155550131", "WHATSAPP");

    // Nobody entered the code: the gateway starts the SMS step, and the page follows it.
    await expect.poll(() => page.locator("#step-current").innerText(), { timeout: 30_000 }).toBe("Step 2 of 2");
    expect(await stepTexts(page)).toEqual(["WhatsApp: sent", "Text message: now"]);
    expect(await page.locator("#step-next").innerText()).toBe("");
    // Named as the step list names it, not "Code" beside "WhatsApp".
    await expect.poll(() => page.locator("#delivery").innerText(), { timeout: 15_000 }).toMatch(/^Text message: /);
    const smsCode = await outboxCode("+14155550131", "SMS");
    expect(smsCode).toBe(whatsappCode);
    await page.screenshot({ path: join(SCREENSHOTS, "workflow-sms-phone.png") });
    await codeBox(page).pressSequentially(smsCode);
    await page.locator("#done").waitFor();
    await page.context().close();
  });

  it("Telegram: the page says the code comes from Telegram's Verification Codes account; the code Telegram's gateway carried signs in", async () => {
    const page = await open();
    await page.check('input[name="option"][value="TELEGRAM"]');
    expect(await page.locator("#telegram-note").innerText()).toBe("The code arrives in Telegram, from Telegram's official “Verification Codes” account.");
    // The note is the option's description for a screen reader too.
    expect(await page.locator('input[value="TELEGRAM"]').getAttribute("aria-describedby")).toBe("telegram-note");
    await page.fill("#destination", "+14155550132");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    expect(await page.locator("#telegram-from").innerText()).toContain("“Verification Codes”");
    const sent = await telegram.waitForMessage((m) => m.phoneNumber === "+14155550132", 15_000);
    await expect.poll(() => page.locator("#delivery").innerText(), { timeout: 15_000 }).toMatch(/^Telegram: (sent|delivered)/);
    // One step: no workflow box.
    expect(await page.locator("#steps").isHidden()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, "telegram-desktop.png") });
    await codeBox(page).pressSequentially(sent.code);
    await page.locator("#done").waitFor();
    await page.context().close();
  });
  /** Everything the page has said: the step-up must never tell an attacker what tripped it. */
  const pageText = (page: Page) => page.locator("main").evaluate((el) => el.textContent ?? "");

  it("SIM swap, flag: the right phone code doesn't sign in; 'one more check' (no word of the SIM) steps up to an e-mailed code, which does", async () => {
    camara.swapSim("+14155550141", 2);
    const accounts = { "+14155550141": { email: "jane.doe@example.com", totpSubject: "user-41" } };
    const page = await open({ settings: { simSwap: { maxAgeHours: 24, action: "flag" } } }, undefined, { width: 390, height: 800 }, { findAccount: (p) => accounts[p as keyof typeof accounts] });
    await page.fill("#destination", "+14155550141");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    await codeBox(page).pressSequentially(await codeFromOutbox(gw.logs, "+14155550141"));
    await page.locator("#step-up").waitFor();
    expect(await page.locator("#done").isHidden()).toBe(true);
    expect(await page.locator("#enter").isHidden()).toBe(true);
    expect(await page.locator("#step-up-title").innerText()).toBe("One more check");
    expect(await page.locator("#step-up-why").innerText()).toBe("To keep your account safe, we need to confirm it's you another way before you sign in.");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("step-up-title");
    // The e-mail address only masked; the authenticator offered because the account has one.
    expect(await page.locator("#step-up-email").innerText()).toBe("E-mail a code to j***@example.com");
    expect(await page.locator("#step-up-totp").isVisible()).toBe(true);
    expect(await pageText(page)).not.toMatch(/SIM|swap|jane\.doe/i);
    await page.screenshot({ path: join(SCREENSHOTS, "step-up-phone.png") });

    await page.click("#step-up-email");
    await expect.poll(() => page.locator("#step-up-label").innerText(), { timeout: 15_000 }).toBe("Enter the code we e-mailed to j***@example.com");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("step-up-code-box");
    await page.locator("#step-up-code-box").pressSequentially(await codeFromOutbox(gw.logs, "jane.doe@example.com"));
    await page.locator("#done").waitFor();
    expect(await page.locator("#step-up").isHidden()).toBe(true);
    await page.context().close();
  });

  it("SIM swap, refuse: nothing is sent, the page steps up to the authenticator (a wrong code counted, the right one signs in); a forged step-up is refused; no account elsewhere → contact support; a refused resend steps up too", async () => {
    camara.swapSim("+14155550142", 1);
    camara.swapSim("+14155550143", 1);
    const accounts = { "+14155550142": { totpSubject: "user-42" }, "+14155550144": { email: "sam@example.com" } };
    const page = await open({ resendCooldownSeconds: 1, settings: { simSwap: { maxAgeHours: 24, action: "refuse" } } }, undefined, undefined, { findAccount: (p) => accounts[p as keyof typeof accounts] });
    // The account's authenticator, enrolled earlier (its first code turns it VERIFIED).
    const factor = await enroll(gw, lastApp.key, { subject: "user-42", label: "user-42" });
    expect((await verifyTotp(gw, lastApp.key, { factorId: factor.factor.id, code: phoneCode(factor.secret, Date.now()) })).data.verifyTotp.status).toBe("APPROVED");

    await page.fill("#destination", "+14155550142");
    await page.click("#send");
    await page.locator("#step-up").waitFor();
    expect(await page.locator("#enter").isHidden()).toBe(true);
    expect(gw.logs.lines.some((l) => l.includes("+14155550142"))).toBe(false); // no code went to the swapped SIM (nor a log line with the number)
    expect(await page.locator("#step-up-email").isHidden()).toBe(true);
    expect(await pageText(page)).not.toMatch(/SIM|swap/i);
    await page.click("#step-up-totp");
    expect(await page.locator("#step-up-label").innerText()).toBe("Enter the 6-digit code from your authenticator app");
    await page.locator("#step-up-code-box").pressSequentially(wrongCode(factor.secret, Date.now()));
    await expect.poll(() => page.locator("#step-up-attempts").innerText(), { timeout: 15_000 }).toMatch(/^That code isn't right\. \d+ attempts? left\.$/);
    // The browser holds only the step-up's handle: a guessed one gets nowhere.
    const forged = await page.request.post(`${new URL(page.url()).origin}/api/step-up/verify`, { data: { stepUpId: "guessed-handle", method: "TOTP", code: phoneCode(factor.secret, Date.now()) } });
    expect(forged.status()).toBe(404);
    // The next 30 s step's code (the one just used for enrolment can't be replayed).
    await page.locator("#step-up-code-box").pressSequentially(phoneCode(factor.secret, Date.now() + 30_000));
    await page.locator("#done").waitFor();

    // A swapped number whose account has nowhere else to reach: no code, no sign-in, support.
    await page.reload();
    await page.fill("#destination", "+14155550143");
    await page.click("#send");
    await page.locator("#step-up-none").waitFor();
    expect(await page.locator("#step-up-none").innerText()).toBe("We can't confirm it's you online right now. Please contact support to sign in.");
    expect(await page.locator("#step-up-email").isHidden()).toBe(true);
    expect(await page.locator("#step-up-totp").isHidden()).toBe(true);

    // Swapped after the first code: the resend is checked afresh, refused, and the page steps up the same way.
    await page.reload();
    await page.fill("#destination", "+14155550144");
    await page.click("#send");
    await page.locator("#enter").waitFor();
    camara.swapSim("+14155550144", 1);
    await expect.poll(() => page.locator("#resend").isDisabled(), { timeout: 15_000 }).toBe(false);
    await page.click("#resend");
    await page.locator("#step-up").waitFor();
    expect(await page.locator("#enter").isHidden()).toBe(true);
    expect(await page.locator("#step-up-email").innerText()).toBe("E-mail a code to s***@example.com");
    expect(await pageText(page)).not.toMatch(/SIM|swap/i);
    await page.context().close();
  });
});
