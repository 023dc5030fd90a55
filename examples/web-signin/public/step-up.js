// The SIM-swap step-up: the backend won't sign in on a phone code alone (the number's SIM card
// changed recently, so the code may have reached someone else) and offers the account's other
// factors. The page says only "one more check": nothing here tells an attacker why.

const $ = (id) => document.getElementById(id);

const LABELS = {
  EMAIL: (to) => `Enter the code we e-mailed to ${to}`,
  TOTP: () => "Enter the 6-digit code from your authenticator app",
};

/** The step-up under way: { stepUp: { id, methods }, method: "EMAIL" | "TOTP" | null, ui }. */
let current = null;

/**
 * Shows the step-up for `stepUp` ({ id, methods }) and runs it to the end.
 * `ui` is the page's own plumbing: { post, busy, say, showError, hideOthers, onSignedIn, onDead }.
 */
export function startStepUp(stepUp, ui) {
  current = { stepUp, method: null, ui };
  ui.hideOthers();
  $("step-up").hidden = false;
  $("step-up-form").hidden = true;
  const email = stepUp.methods.find((m) => m.kind === "EMAIL");
  $("step-up-email").hidden = !email;
  if (email) $("step-up-email-to").textContent = email.to;
  $("step-up-totp").hidden = !stepUp.methods.some((m) => m.kind === "TOTP");
  $("step-up-none").hidden = stepUp.methods.length > 0;
  // Screen readers land on the heading that says what is asked now.
  $("step-up-title").focus();
}

function askForCode(kind, to) {
  current.method = kind;
  $("step-up-label").textContent = LABELS[kind](to);
  $("step-up-attempts").hidden = true;
  $("step-up-form").hidden = false;
  $("step-up-code").clear();
  $("step-up-code").focus();
}

/** The step-up expired, was used, or its code is spent: start again from the number. */
function dead(r) {
  $("step-up").hidden = true;
  current.ui.onDead(r?.status);
  current = null;
}

$("step-up-email").addEventListener("click", async () => {
  const { ui, stepUp } = current;
  ui.say("");
  const r = await ui.busy($("step-up-email"), () => ui.post("/api/step-up/email", { stepUpId: stepUp.id }));
  if (r.error) return r.error.code === "NOT_FOUND" ? dead() : ui.showError(r.error, [$("step-up-email")]);
  askForCode("EMAIL", r.verification.to);
});

$("step-up-totp").addEventListener("click", () => {
  current.ui.say("");
  askForCode("TOTP");
});

async function verify(code) {
  if (!current?.method) return;
  const { ui, stepUp, method } = current;
  ui.say("");
  const r = await ui.busy($("step-up-submit"), () => ui.post("/api/step-up/verify", { stepUpId: stepUp.id, method, code }));
  if (r.error) return r.error.code === "NOT_FOUND" ? dead() : ui.showError(r.error, [$("step-up-submit")]);
  if (r.signedIn) {
    $("step-up").hidden = true;
    current = null;
    return ui.onSignedIn();
  }
  if (r.status === "PENDING") {
    $("step-up-code").clear();
    $("step-up-attempts").textContent = `That code isn't right. ${r.attemptsRemaining} ${r.attemptsRemaining === 1 ? "attempt" : "attempts"} left.`;
    $("step-up-attempts").hidden = false;
    return $("step-up-code").focus();
  }
  dead(r);
}

$("step-up-code").addEventListener("complete", (e) => verify(e.detail.code));
$("step-up-form").addEventListener("submit", (e) => {
  e.preventDefault();
  verify($("step-up-code").value);
});
