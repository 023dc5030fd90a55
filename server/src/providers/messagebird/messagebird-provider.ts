import type { MessageBirdConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type FailureKind, type OutboundMessage, type Provider, type SendResult } from "../provider";
import { fetchJson } from "../fetch-json";
import { senderForMessage } from "../sender";
import { voiceLanguage } from "./messagebird-voice";

type MessageBirdError = { code?: number; description?: string; parameter?: string | null };

/**
 * SMS and voice messages through MessageBird's REST API (`POST /messages`, `POST /voicemessages`,
 * `Authorization: AccessKey …`), called with `fetch`. Not the `messagebird` SDK: its last release
 * (4.0.1) is years old, it predates the company's move to Bird, and it would add a dependency
 * tree for three JSON calls whose shapes the API docs fix. MESSAGEBIRD_API_BASE_URL replaces
 * https://rest.messagebird.com (a stand-in in tests). Each message names its `reportUrl`
 * (only with MESSAGEBIRD_SIGNING_KEY: without it no report could be trusted) and carries the
 * delivery id as `reference`.
 */
export class MessageBirdProvider implements Provider {
  readonly name = "messagebird";
  readonly channels = [Channel.SMS, Channel.VOICE] as const;
  readonly credentialVariables = ["MESSAGEBIRD_ACCESS_KEY"] as const;

  constructor(private readonly config: MessageBirdConfig, private readonly reportUrl: string | undefined, private readonly timeoutMs = 10_000) {}

  /** The balance, the cheapest call that proves the access key: refused is a `provider` error, unreachable `transient`. */
  async verify(): Promise<void> {
    try {
      await this.call("GET", "/balance");
    } catch (e) {
      const err = e as ProviderError;
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `MessageBird account check failed: ${err.code} ${err.message}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    const originator = senderForMessage(this.config.originator, m, "MessageBird");
    const common = { originator, recipients: [m.to.replace(/^\+/, "")], reference: m.deliveryId, ...(this.reportUrl && { reportUrl: this.reportUrl }) };
    const body = m.channel === Channel.VOICE
      ? { ...common, body: m.voice?.script ?? m.text, language: voiceLanguage(m.voice?.language ?? m.locale), voice: "female", repeat: 1, ifMachine: "continue" }
      : { ...common, body: m.text, datacoding: "auto" };
    const res = (await this.call("POST", m.channel === Channel.VOICE ? "/voicemessages" : "/messages", body)) as { id?: unknown };
    if (typeof res?.id !== "string" || !res.id) throw new ProviderError("transient", "NO_MESSAGE_ID", "MessageBird accepted the message without an id");
    return { providerMessageId: res.id, status: DeliveryStatus.SENT };
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const { status, json } = await fetchJson("MessageBird", this.config.apiBaseUrl + path, {
      method,
      headers: { authorization: `AccessKey ${this.config.accessKey}`, accept: "application/json", ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }, this.timeoutMs);
    if (status >= 200 && status < 300) return json;
    throw classify(status, (json as { errors?: MessageBirdError[] } | null)?.errors?.[0]);
  }
}

/**
 * MessageBird's error body `{ "errors": [{ code, description, parameter }] }` by who can fix it:
 * a refused or unknown recipient is the destination's; the access key (2), the balance (25) or
 * another parameter (the originator) is this account's; throttling and server errors pass.
 */
export function classify(status: number, e: MessageBirdError | undefined): ProviderError {
  const code = e?.code !== undefined ? String(e.code) : `HTTP_${status}`;
  const message = (e?.description ?? `MessageBird answered ${status}`).slice(0, 500);
  const recipient = /^recipients?$/.test(e?.parameter ?? "");
  const kind: FailureKind =
    status === 429 || status >= 500 || code === "99" ? "transient"
    : status === 401 || status === 403 || code === "2" || code === "25" || status === 402 ? "provider"
    : recipient ? "permanent"
    : status === 404 || status === 405 ? "provider"
    : e?.parameter ? "provider"
    : "permanent";
  return new ProviderError(kind, code, message);
}
