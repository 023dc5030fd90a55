import { describe, expect, it } from "vitest";
// The reference sign-in's browser module for a workflow's steps, imported as the page imports it.
import { channelName, describeSteps, moreStepsComing } from "../../examples/web-signin/public/steps.js";
import { isSignInOption, planFor } from "../../examples/web-signin/sign-in-options";
import { maskEmail } from "../../examples/web-signin/step-up";

const NOW = Date.parse("2026-12-07T12:00:00Z");
const at = (s: number) => new Date(NOW + s * 1000).toISOString();

describe("reference sign-in: a workflow's steps", () => {
  it("WhatsApp now, a text message in 0:42: the current step, each step's state, the countdown by the server's clock", () => {
    const steps = [
      { channel: "WHATSAPP", to: "+1******0123", status: "ACTIVE", startsAt: at(-18), startedAt: at(-18) },
      { channel: "SMS", to: "+1******0123", status: "WAITING", startsAt: at(42), startedAt: null },
    ];
    const d = describeSteps(steps, 0, NOW)!;
    expect(d.current).toBe("Step 1 of 2");
    expect(d.items.map((i: { text: string }) => i.text)).toEqual(["WhatsApp: now", "Text message: next"]);
    expect(d.items.map((i: { current: boolean }) => i.current)).toEqual([true, false]);
    expect(d.next).toEqual({ seconds: 42, text: "Text message in 0:42, unless you enter the code first" });
    expect(d.note).toBe("The same code works whichever message you use.");
    // The device's clock is 10 s fast (server − local = −10 s): the countdown follows the server's, 52 s.
    expect(describeSteps(steps, -10_000, NOW)!.next.seconds).toBe(52);
    expect(moreStepsComing(steps)).toBe(true);
  });

  it("when the deadline passed the next step is 'on its way'; once it runs, step 2 of 2 and nothing left to wait for", () => {
    const due = [
      { channel: "WHATSAPP", to: "+1******0123", status: "ACTIVE", startsAt: at(-60), startedAt: at(-60) },
      { channel: "SMS", to: "+1******0123", status: "WAITING", startsAt: at(-1), startedAt: null },
    ];
    expect(describeSteps(due, 0, NOW)!.next).toEqual({ seconds: 0, text: "Text message is on its way" });
    const moved = [
      { ...due[0], status: "DONE" },
      { ...due[1], status: "ACTIVE", startedAt: at(-1) },
    ];
    const d = describeSteps(moved, 0, NOW)!;
    expect(d.current).toBe("Step 2 of 2");
    expect(d.items.map((i: { text: string }) => i.text)).toEqual(["WhatsApp: sent", "Text message: now"]);
    expect(d.next).toBeNull();
    expect(d.note).toBeNull();
    expect(moreStepsComing(moved)).toBe(false);
  });

  it("a next step whose start isn't known yet (the first message not handed off) says so without a clock; approved: the rest not needed", () => {
    const d = describeSteps([
      { channel: "TELEGRAM", to: "+1******0123", status: "ACTIVE", startsAt: null, startedAt: null },
      { channel: "SMS", to: "+1******0123", status: "WAITING", startsAt: null, startedAt: null },
    ], 0, NOW)!;
    expect(d.next).toEqual({ seconds: null, text: "Then text message, if the code doesn't arrive" });
    const over = describeSteps([
      { channel: "WHATSAPP", to: "+1******0123", status: "DONE", startsAt: at(-9), startedAt: at(-9) },
      { channel: "SMS", to: "+1******0123", status: "SKIPPED", startsAt: at(51), startedAt: null },
    ], 0, NOW)!;
    expect(over.items.map((i: { text: string }) => i.text)).toEqual(["WhatsApp: sent", "Text message: not needed"]);
    expect(over.current).toBeNull();
  });

  it("one step (no workflow) shows nothing; names for every channel", () => {
    expect(describeSteps([{ channel: "SMS", to: "+1******0123", status: "ACTIVE", startsAt: at(0), startedAt: at(0) }], 0, NOW)).toBeNull();
    expect(describeSteps(undefined, 0, NOW)).toBeNull();
    expect(["SMS", "VOICE", "WHATSAPP", "TELEGRAM", "EMAIL", "RCS"].map((c) => channelName(c))).toEqual(["Text message", "Phone call", "WhatsApp", "Telegram", "E-mail", "Message"]);
  });
});

describe("reference sign-in: what the backend asks of the gateway", () => {
  it("WhatsApp first, then SMS is one request with a `next` step; Telegram is its own channel; nothing else is an option", () => {
    expect(planFor("WHATSAPP_THEN_SMS", "+14155550123")).toEqual({ destination: "+14155550123", channel: "WHATSAPP", next: [{ channel: "SMS", afterSeconds: 60 }] });
    expect(planFor("WHATSAPP_THEN_SMS", "+14155550123", 15).next).toEqual([{ channel: "SMS", afterSeconds: 15 }]);
    expect(planFor("TELEGRAM", "+14155550123")).toEqual({ destination: "+14155550123", channel: "TELEGRAM" });
    expect(planFor("SMS", "+14155550123")).toEqual({ destination: "+14155550123", channel: "SMS" });
    expect(["SMS", "VOICE", "WHATSAPP_THEN_SMS", "TELEGRAM"].every(isSignInOption)).toBe(true);
    // A browser can't ask for a plan of its own (an e-mail step to an address it chose, a premium channel).
    for (const bad of ["EMAIL", "WHATSAPP", "sms", "", undefined, { channel: "SMS" }]) expect(isSignInOption(bad)).toBe(false);
  });

  it("the step-up names the e-mail address only masked, as the gateway masks it", () => {
    expect(maskEmail("jane.doe@example.com")).toBe("j***@example.com");
    expect(maskEmail("j@example.com")).toBe("j***@example.com");
  });
});
