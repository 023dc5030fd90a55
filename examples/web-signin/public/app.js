import { secondsUntil } from "./code-rules.js";
import { countryName, readPhone, setUpPhoneField } from "./phone-field.js";
import { startStepUp } from "./step-up.js";
import { channelName, describeSteps, moreStepsComing } from "./steps.js";

// The sign-in page: ask for a number, show the code box, follow the delivery live, count down to
// the next resend by the server's clock, follow a workflow's steps ("WhatsApp first, then a text
// message") with a countdown to the next, step up when the backend asks, and say plainly what went wrong.

const $ = (id) => document.getElementById(id);
const DELIVERY_WORDS = {
  QUEUED: "sending…",
  SENDING: "sending…",
  SENT: "sent — waiting for your phone to receive it",
  DELIVERED: "delivered",
  UNDELIVERED: "not delivered",
  FAILED: "not delivered",
};

const state = { verification: null, offsetMs: 0, events: null, latestDelivery: null, slowTimer: null, tick: null, waitTick: null, country: null, refreshing: false, lastRefresh: 0 };

async function post(path, body) {
  try {
    const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = await res.json();
    if (json.serverTime) state.offsetMs = Date.parse(json.serverTime) - Date.now();
    return json;
  } catch {
    return { error: { code: "NETWORK" } };
  }
}

/** A button doing its work: disabled, with a spinner, and says so to screen readers. */
async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

/** The page-level message: `kind` "error" (styled as one) or "info". */
function say(text, kind = "error") {
  const el = $("message");
  el.textContent = text ?? "";
  el.className = `notice ${kind}`;
  el.hidden = !text;
}

function fieldError(text) {
  $("destination-error").textContent = text ?? "";
  $("destination-error").hidden = !text;
  if (text) $("destination").setAttribute("aria-invalid", "true");
  else $("destination").removeAttribute("aria-invalid");
}

/** What went wrong, in words: the gateway's error code (and for refusals, its message). */
function explain(error) {
  switch (error.code) {
    case "BAD_USER_INPUT":
      if (error.field === "code") return "Codes are digits only.";
      return `That isn't a number we can send a code to. Check the digits${state.country ? ` of your ${countryName(state.country)} number` : ""}.`;
    case "FORBIDDEN":
      if (error.reason === "CHANNEL_UNAVAILABLE") return "That way of sending codes isn't available right now. Choose another.";
      if (/kind of number/.test(error.message ?? "")) return "This number can't receive text messages (a landline?). Choose a phone call instead.";
      if (/not enabled/.test(error.message ?? "")) return "That way of sending codes isn't available right now. Choose another.";
      return `We can't send codes to ${state.country ? `${countryName(state.country)} numbers` : "that number's country"}.`;
    case "NOT_FOUND":
      return "This code is no longer valid. Request a new one.";
    case "NETWORK":
      return "We couldn't reach the server. Check your connection and try again.";
    default:
      return "Something went wrong. Please try again.";
  }
}

const clock = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

/** RATE_LIMITED: the wait counts down live; the buttons that would be refused stay disabled until it ends. */
function waitOut(seconds, buttons) {
  clearInterval(state.waitTick);
  const until = Date.now() + seconds * 1000;
  const render = () => {
    const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    for (const b of buttons) b.disabled = left > 0;
    if (left > 0) say(`Too many tries. Please wait ${clock(left)} and try again.`);
    else {
      clearInterval(state.waitTick);
      say("");
    }
  };
  render();
  state.waitTick = setInterval(render, 250);
}

function showError(error, buttons = []) {
  if (error.code === "RATE_LIMITED") return waitOut(error.retryAfter ?? 60, buttons);
  say(explain(error));
}

function showVerification(v) {
  state.verification = v;
  $("start").hidden = true;
  $("enter").hidden = false;
  $("masked").textContent = v.to;
  $("telegram-from").hidden = v.channel !== "TELEGRAM";
  $("code").setAttribute("length", String(v.codeLength));
  $("attempts").hidden = true;
  const latest = v.deliveries[v.deliveries.length - 1];
  if (latest) showDelivery(latest);
  showSteps();
  startCountdown();
  $("code").focus();
}

function showDelivery(d) {
  state.latestDelivery = d;
  const el = $("delivery");
  const bad = d.status === "UNDELIVERED" || d.status === "FAILED";
  // While a later step is still to come, the workflow moves on by itself: no "call me" yet.
  const offer = bad && d.channel !== "VOICE" && !moreStepsComing(state.verification?.steps);
  el.textContent = `${deliveryName(d.channel)}: ${DELIVERY_WORDS[d.status] ?? d.status.toLowerCase()}${offer ? " — call me instead?" : ""}`;
  el.className = `status ${bad ? "bad" : d.status === "DELIVERED" ? "good" : ""}`;
  el.dataset.status = d.status;
  clearTimeout(state.slowTimer);
  if (bad) offerVoice();
  // A step's message that fails for good starts the next step at once: fetch where it stands.
  if (bad && moreStepsComing(state.verification?.steps)) refreshSteps();
  // No "delivered" this long after "sent" (data-slow-delivery-ms on #enter, 20 s): offer a call.
  else if (d.status === "SENT") state.slowTimer = setTimeout(offerVoice, Number($("enter").dataset.slowDeliveryMs));
}

/**
 * "Code" for a text message (the word people use), "Call" for a call, else the app's name; beside
 * a workflow's other messages ("WhatsApp: sent") a text message is named as the step list names it.
 */
function deliveryName(channel) {
  if (channel === "SMS") return (state.verification?.steps?.length ?? 0) > 1 ? "Text message" : "Code";
  if (channel === "VOICE") return "Call";
  return channelName(channel);
}

function offerVoice() {
  if (state.latestDelivery?.channel !== "VOICE" && !moreStepsComing(state.verification?.steps)) $("voice").hidden = false;
}

/** The workflow's steps: which is current, each one's state, and the countdown to the next (by the server's clock). */
function showSteps() {
  const v = state.verification;
  const d = describeSteps(v?.steps, state.offsetMs);
  $("steps").hidden = !d;
  if (!d) return;
  if ($("step-current").textContent !== (d.current ?? "")) $("step-current").textContent = d.current ?? "";
  const list = $("step-list");
  const html = d.items.map((i) => `<li data-status="${i.status}"${i.current ? ' aria-current="step"' : ""}></li>`).join("");
  if (list.dataset.shape !== html) {
    list.innerHTML = html;
    list.dataset.shape = html;
  }
  d.items.forEach((i, n) => (list.children[n].textContent = i.text));
  $("step-next").textContent = d.next?.text ?? "";
  $("step-next").dataset.seconds = d.next?.seconds ?? "";
  $("step-note").textContent = d.note ?? "";
  $("step-note").hidden = !d.note;
  // The next step is due: its delivery event will say so; if none came, ask (at most every 2 s).
  if (d.next?.seconds === 0) refreshSteps();
}

/** Reads the verification's steps again (after a step's deadline or a failed step). */
async function refreshSteps() {
  const v = state.verification;
  if (!v || state.refreshing || Date.now() - state.lastRefresh < 2000) return;
  state.refreshing = true;
  state.lastRefresh = Date.now();
  try {
    const r = await post("/api/verification", { verificationId: v.id });
    if (r.verification && state.verification?.id === v.id) applySteps(r.verification.steps);
  } finally {
    state.refreshing = false;
  }
}

function applySteps(steps) {
  if (!state.verification || !steps) return;
  state.verification.steps = steps;
  showSteps();
  if (!moreStepsComing(steps) && state.latestDelivery) showDelivery(state.latestDelivery);
}

function follow(verificationId) {
  state.events?.close();
  const events = new EventSource(`/api/status/${encodeURIComponent(verificationId)}`);
  events.addEventListener("delivery", (e) => {
    const { delivery } = JSON.parse(e.data);
    // Only the newest send matters to the user; older ones still report in.
    const v = state.verification;
    if (!v.deliveries.some((d) => d.id === delivery.id)) v.deliveries.push(delivery);
    if (delivery.id === v.deliveries[v.deliveries.length - 1].id) showDelivery(delivery);
  });
  events.addEventListener("steps", (e) => {
    const { steps, serverTime } = JSON.parse(e.data);
    if (serverTime) state.offsetMs = Date.parse(serverTime) - Date.now();
    applySteps(steps);
  });
  events.addEventListener("end", () => events.close());
  state.events = events;
}

function startCountdown() {
  clearInterval(state.tick);
  const render = () => {
    const s = secondsUntil(state.verification.resendAvailableAt, state.offsetMs);
    $("resend").disabled = s > 0;
    $("voice").disabled = s > 0;
    $("countdown").textContent = s > 0 ? `Resend in ${clock(s)}` : "";
    if (state.verification.steps?.length > 1) showSteps();
  };
  render();
  state.tick = setInterval(render, 250);
}

function stopFollowing() {
  clearInterval(state.tick);
  clearInterval(state.waitTick);
  clearTimeout(state.slowTimer);
  state.events?.close();
}

/** Back to the number (kept as typed): a typo, or another phone. The old code simply expires. */
function changeNumber() {
  stopFollowing();
  state.verification = null;
  $("enter").hidden = true;
  $("voice").hidden = true;
  $("start").hidden = false;
  say("");
  $("destination").focus();
  $("destination").select();
}

/** The verification is over: approved, or dead (then the user starts again from the number). */
function finish(text, approved = false) {
  stopFollowing();
  $("enter").hidden = true;
  $("done").hidden = !approved;
  $("start").hidden = approved;
  say(text);
}

/** The backend asks for one more factor before signing in (a SIM swap stands against the number). */
function stepUp(s) {
  startStepUp(s, {
    post,
    busy,
    say,
    showError,
    hideOthers: () => {
      stopFollowing();
      $("enter").hidden = true;
      $("start").hidden = true;
    },
    onSignedIn: () => finish("", true),
    onDead: (status) => finish(status === "EXPIRED" ? "This code has expired. Start again." : "We couldn't confirm it's you. Start again."),
  });
}

/** The option's note under the choices: what WhatsApp-then-SMS does, where a Telegram code comes from. */
function showOptionNote() {
  const option = new FormData($("start")).get("option");
  $("whatsapp-note").hidden = option !== "WHATSAPP_THEN_SMS";
  $("telegram-note").hidden = option !== "TELEGRAM";
}
for (const radio of document.querySelectorAll('input[name="option"]')) radio.addEventListener("change", showOptionNote);

setUpPhoneField($("country"), $("destination"));
$("destination").addEventListener("input", () => fieldError(""));

$("start").addEventListener("submit", async (e) => {
  e.preventDefault();
  say("");
  const phone = readPhone($("country"), $("destination"));
  if (phone.problem) {
    fieldError(phone.problem);
    return $("destination").focus();
  }
  fieldError("");
  state.country = phone.country;
  const option = new FormData($("start")).get("option");
  const r = await busy($("send"), () => post("/api/request", { destination: phone.number, option }));
  if (r.error) return showError(r.error, [$("send")]);
  if (r.stepUp) return stepUp(r.stepUp);
  showVerification(r.verification);
  follow(r.verification.id);
});
$("change").addEventListener("click", changeNumber);

async function resend(button, channel) {
  say("");
  const r = await busy(button, () => post("/api/resend", { verificationId: state.verification.id, channel }));
  if (r.error) return showError(r.error, [$("resend"), $("voice")]);
  if (r.stepUp) return stepUp(r.stepUp);
  $("voice").hidden = true;
  showVerification(r.verification);
}
$("resend").addEventListener("click", () => resend($("resend"), undefined));
$("voice").addEventListener("click", () => resend($("voice"), "VOICE"));

async function verify(code) {
  say("");
  const r = await busy($("submit"), () => post("/api/verify", { verificationId: state.verification.id, code }));
  if (r.error) return showError(r.error, [$("submit")]);
  if (r.stepUp) return stepUp(r.stepUp);
  switch (r.status) {
    case "APPROVED":
      return finish("", true);
    case "PENDING":
      $("code").clear();
      $("attempts").textContent = `That code isn't right. ${r.attemptsRemaining} ${r.attemptsRemaining === 1 ? "attempt" : "attempts"} left.`;
      $("attempts").hidden = false;
      $("code").focus();
      return;
    case "MAX_ATTEMPTS_REACHED":
      return finish("Too many wrong codes. Request a new code to try again.");
    case "EXPIRED":
      return finish("This code has expired. Request a new one.");
    case "CANCELED":
      return finish("This sign-in was canceled. Start again.");
    case "FAILED":
      return finish("We couldn't deliver your code. Try a phone call instead.");
    default:
      return say(explain({}));
  }
}
$("code").addEventListener("complete", (e) => verify(e.detail.code));
$("verify").addEventListener("submit", (e) => {
  e.preventDefault();
  verify($("code").value);
});
