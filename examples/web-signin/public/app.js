import { secondsUntil } from "./code-rules.js";

// The sign-in page: ask for a number, show the code box, follow the delivery live, count down to
// the next resend by the server's clock, and say plainly what went wrong.

const $ = (id) => document.getElementById(id);
const DELIVERY_WORDS = {
  QUEUED: "sending…",
  SENDING: "sending…",
  SENT: "sent — waiting for your phone to receive it",
  DELIVERED: "delivered",
  UNDELIVERED: "not delivered",
  FAILED: "not delivered",
};

const state = { verification: null, offsetMs: 0, events: null, latestDelivery: null, slowTimer: null, tick: null };

async function post(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  if (json.serverTime) state.offsetMs = Date.parse(json.serverTime) - Date.now();
  return json;
}

function say(text) {
  $("message").textContent = text ?? "";
}

function explain(error) {
  switch (error.code) {
    case "RATE_LIMITED":
      return `Too many tries. Please wait ${formatWait(error.retryAfter ?? 60)} and try again.`;
    case "BAD_USER_INPUT":
      return error.field === "code" ? "Codes are digits only." : "That doesn't look like a phone number. Include the country code, e.g. +1 415 555 2671.";
    case "FORBIDDEN":
      return "We can't send codes to that number's country.";
    case "NOT_FOUND":
      return "This code is no longer valid. Request a new one.";
    default:
      return "Something went wrong. Please try again.";
  }
}

function formatWait(seconds) {
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

function showVerification(v) {
  state.verification = v;
  $("start").hidden = true;
  $("enter").hidden = false;
  $("masked").textContent = v.to;
  $("code").setAttribute("length", String(v.codeLength));
  $("attempts").textContent = "";
  const latest = v.deliveries[v.deliveries.length - 1];
  if (latest) showDelivery(latest);
  startCountdown();
  $("code").focus();
}

function showDelivery(d) {
  state.latestDelivery = d;
  const el = $("delivery");
  const bad = d.status === "UNDELIVERED" || d.status === "FAILED";
  el.textContent = `${d.channel === "VOICE" ? "Call" : "Code"}: ${DELIVERY_WORDS[d.status] ?? d.status.toLowerCase()}${bad && d.channel !== "VOICE" ? " — call me instead?" : ""}`;
  el.className = bad ? "bad" : d.status === "DELIVERED" ? "good" : "";
  el.dataset.status = d.status;
  clearTimeout(state.slowTimer);
  if (bad) offerVoice();
  // No "delivered" this long after "sent" (data-slow-delivery-ms on #enter, 20 s): offer a call.
  else if (d.status === "SENT") state.slowTimer = setTimeout(offerVoice, Number($("enter").dataset.slowDeliveryMs));
}

function offerVoice() {
  if (state.latestDelivery?.channel !== "VOICE") $("voice").hidden = false;
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
  events.addEventListener("end", () => events.close());
  state.events = events;
}

function startCountdown() {
  clearInterval(state.tick);
  const render = () => {
    const s = secondsUntil(state.verification.resendAvailableAt, state.offsetMs);
    $("resend").disabled = s > 0;
    $("voice").disabled = s > 0;
    $("countdown").textContent = s > 0 ? `Resend in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}` : "";
  };
  render();
  state.tick = setInterval(render, 250);
}

/** The verification is over: approved, or dead (then the user starts again from the number). */
function finish(text, approved = false) {
  clearInterval(state.tick);
  clearTimeout(state.slowTimer);
  state.events?.close();
  $("enter").hidden = true;
  $("done").hidden = !approved;
  $("start").hidden = approved;
  say(text);
}

$("start").addEventListener("submit", async (e) => {
  e.preventDefault();
  say("");
  const channel = new FormData($("start")).get("channel");
  $("send").disabled = true;
  const r = await post("/api/request", { destination: $("destination").value, channel });
  $("send").disabled = false;
  if (r.error) return say(explain(r.error));
  showVerification(r.verification);
  follow(r.verification.id);
});

async function resend(channel) {
  say("");
  const r = await post("/api/resend", { verificationId: state.verification.id, channel });
  if (r.error) return say(explain(r.error));
  $("voice").hidden = true;
  showVerification(r.verification);
}
$("resend").addEventListener("click", () => resend(undefined));
$("voice").addEventListener("click", () => resend("VOICE"));

async function verify(code) {
  say("");
  const r = await post("/api/verify", { verificationId: state.verification.id, code });
  if (r.error) return say(explain(r.error));
  switch (r.status) {
    case "APPROVED":
      return finish("", true);
    case "PENDING":
      $("code").clear();
      $("attempts").textContent = `That code isn't right. ${r.attemptsRemaining} ${r.attemptsRemaining === 1 ? "attempt" : "attempts"} left.`;
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
