// The words for a verification's channels and its ordered steps ("WhatsApp first, then a text
// message"), apart from the DOM so they can be tested on their own. Every user-facing string of
// the workflow is here, in one table per language, like a translation file.
import { secondsUntil } from "./code-rules.js";

const WORDS = {
  en: {
    channel: { SMS: "Text message", VOICE: "Phone call", WHATSAPP: "WhatsApp", TELEGRAM: "Telegram", EMAIL: "E-mail", RCS: "Message" },
    status: { DONE: "sent", ACTIVE: "now", WAITING: "next", SKIPPED: "not needed" },
    stepOf: (n, total) => `Step ${n} of ${total}`,
    nextIn: (name, clock) => `${name} in ${clock}, unless you enter the code first`,
    nextSoon: (name) => `${name} is on its way`,
    nextAfterSend: (name) => `Then ${name.toLowerCase()}, if the code doesn't arrive`,
    sameCode: "The same code works whichever message you use.",
  },
};

const words = (lang) => WORDS[String(lang ?? "en").split("-")[0]] ?? WORDS.en;

export const channelName = (channel, lang) => words(lang).channel[channel] ?? channel;

const clock = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

/**
 * What the page shows of a verification's steps: each step with its channel and where it stands,
 * which one is current ("Step 2 of 2"), and the countdown to the next one by the server's clock
 * (`offsetMs` = server time − local time). A verification of one step has nothing to show.
 */
export function describeSteps(steps, offsetMs = 0, now = Date.now(), lang) {
  const w = words(lang);
  if (!Array.isArray(steps) || steps.length < 2) return null;
  const active = steps.findIndex((s) => s.status === "ACTIVE");
  const waiting = steps.findIndex((s) => s.status === "WAITING");
  const items = steps.map((s, i) => ({ channel: s.channel, to: s.to, status: s.status, text: `${channelName(s.channel, lang)}: ${w.status[s.status] ?? s.status.toLowerCase()}`, current: i === active }));
  let next = null;
  if (waiting >= 0) {
    const name = channelName(steps[waiting].channel, lang);
    const startsAt = steps[waiting].startsAt;
    if (!startsAt) next = { seconds: null, text: w.nextAfterSend(name) };
    else {
      const seconds = secondsUntil(startsAt, offsetMs, now);
      next = { seconds, text: seconds > 0 ? w.nextIn(name, clock(seconds)) : w.nextSoon(name) };
    }
  }
  return {
    items,
    current: active >= 0 ? w.stepOf(active + 1, steps.length) : null,
    next,
    // A step waits: the user should know that a code already received stays good.
    note: waiting >= 0 ? w.sameCode : null,
  };
}

/** Whether a later step will still come (then the page doesn't offer a call: the workflow moves on by itself). */
export const moreStepsComing = (steps) => Array.isArray(steps) && steps.some((s) => s.status === "WAITING");
