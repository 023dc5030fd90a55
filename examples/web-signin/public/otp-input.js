import { isComplete, sanitizeCode } from "./code-rules.js";

/**
 * <otp-input length="6"> — a framework-free one-time-code box.
 *
 * One real <input> (not six boxes), because that is what password managers, iOS's
 * "From Messages" suggestion (autocomplete="one-time-code") and screen readers understand.
 * inputmode="numeric" brings up the digit keyboard; anything that is not a digit is dropped as it
 * is typed or pasted; exactly `length` digits fire a `complete` event with the code.
 * With `webotp`, it asks the browser for the code of an incoming SMS (WebOTP, Chrome on Android):
 * the gateway's SMS ends with the `@domain #code` line that API needs.
 */
class OtpInput extends HTMLElement {
  static get observedAttributes() {
    return ["length", "disabled"];
  }

  constructor() {
    super();
    this.input = document.createElement("input");
    Object.assign(this.input, { type: "text", inputMode: "numeric", autocomplete: "one-time-code", spellcheck: false });
    this.input.setAttribute("pattern", "[0-9]*");
    this.input.setAttribute("aria-label", "One-time code");
    this.input.addEventListener("beforeinput", (e) => {
      // Refuse a typed non-digit outright (no flash of the letter); pastes are cleaned in `input`.
      if (e.inputType === "insertText" && e.data && /\D/.test(e.data)) e.preventDefault();
    });
    // A pasted message ("Your code: 123-456") keeps its digits. Handled here rather than left to the
    // browser, which would first cut the paste to the box's length and lose digits behind the words.
    this.input.addEventListener("paste", (e) => {
      e.preventDefault();
      this.setValue(e.clipboardData?.getData("text") ?? "");
    });
    this.input.addEventListener("input", () => this.setValue(this.input.value));
    this.webOtpAbort = undefined;
  }

  get length() {
    const n = Number(this.getAttribute("length"));
    return Number.isInteger(n) && n >= 4 && n <= 10 ? n : 6;
  }

  get value() {
    return this.input.value;
  }

  set value(v) {
    this.setValue(v);
  }

  connectedCallback() {
    if (!this.input.isConnected) this.append(this.input);
    // <label for="code-box"> names the box (the element's id plus "-box").
    if (this.id && !this.input.id) this.input.id = `${this.id}-box`;
    // No maxlength: the length is enforced by setValue, after the non-digits are gone.
    this.input.placeholder = "•".repeat(this.length);
    if (this.hasAttribute("webotp")) this.listenForSms();
  }

  disconnectedCallback() {
    this.webOtpAbort?.abort();
  }

  attributeChangedCallback(name) {
    if (name === "length") {
      this.input.placeholder = "•".repeat(this.length);
      this.setValue(this.input.value);
    }
    if (name === "disabled") this.input.disabled = this.hasAttribute("disabled");
  }

  focus() {
    this.input.focus();
  }

  clear() {
    this.input.value = "";
  }

  setValue(raw) {
    const clean = sanitizeCode(raw, this.length);
    if (this.input.value !== clean) this.input.value = clean;
    if (isComplete(clean, this.length)) this.dispatchEvent(new CustomEvent("complete", { detail: { code: clean }, bubbles: true }));
  }

  /** WebOTP: resolves with the code when the SMS arrives (and the user allows it). */
  async listenForSms() {
    if (!("OTPCredential" in window) || !navigator.credentials?.get) return;
    this.webOtpAbort?.abort();
    this.webOtpAbort = new AbortController();
    try {
      const credential = await navigator.credentials.get({ otp: { transport: ["sms"] }, signal: this.webOtpAbort.signal });
      if (credential?.code) {
        this.setAttribute("data-filled-by", "webotp");
        this.setValue(credential.code);
      }
    } catch {
      // Aborted, refused, or timed out: the user types the code.
    }
  }
}

if (!customElements.get("otp-input")) customElements.define("otp-input", OtpInput);
