/**
 * The RCS side of the Twilio stand-in: Messages created with a `MessagingServiceSid` whose
 * sender pool holds an RCS sender, the Messaging API's service lookup (GET /v1/Services/{sid},
 * served on the same stand-in since the gateway maps messaging.twilio.com onto
 * TWILIO_API_BASE_URL), and what Twilio does with a device that has no RCS.
 *
 * What is faithful (Twilio docs: "Send and receive RCS messages", Message resource, Outbound
 * message status in status callbacks; errors 21701/21704, 63106):
 *  - With an RCS sender in the service's pool, RCS is the first-attempt channel: Twilio checks
 *    the device itself. An RCS-capable device gets RCS: the Message's `from` — and `From` in
 *    its status callbacks — is `rcs:<sender id>`.
 *  - A device without RCS gets an SMS from one of the pool's phone-number senders (Twilio's own
 *    fallback): `From` is that number. With no SMS sender in the pool the message fails with
 *    63106 ("phone_number is not a RCS capable number").
 *  - A message created through a service starts `accepted` (no callback for the initial status),
 *    then `queued`/`sent`/`delivered` (and `read` for RCS); `num_segments` is "0" in the answer.
 *  - An unknown service is 404 + 20404 on lookup, and 21701 on send; a service with an empty
 *    pool 21704.
 */
import { randomBytes } from "node:crypto";
import type { TwilioErrorSpec } from "./twilio-fake";

export interface TwilioMessagingService {
  sid: string;
  friendlyName?: string;
  /** The RCS sender in the pool, as Twilio addresses it: "rcs:acme_otp_agent". */
  rcsSender?: string;
  /** Phone-number senders in the pool: Twilio's own SMS fallback when the device has no RCS. */
  smsSenders: string[];
}

export const newMessagingServiceSid = () => "MG" + randomBytes(16).toString("hex");

/** How a Messaging Service send goes out: as RCS, as Twilio's SMS fallback, or failing with 63106 (decided when the message is created). */
export type ServiceRoute = { kind: "rcs"; from: string } | { kind: "sms"; from: string; fellBack: boolean } | { kind: "failed"; from: string; errorCode: string };

/** First-line validation of a send through a service; null when Twilio would accept it. */
export function validateServiceSend(p: Record<string, string>, services: Map<string, TwilioMessagingService>): TwilioErrorSpec | null {
  if (!p.To) return { status: 400, code: 21604 };
  if (!/^\+[1-9]\d{6,14}$/.test(p.To)) return { status: 400, code: 21211, message: `The 'To' number ${p.To} is not a valid phone number.` };
  const service = services.get(p.MessagingServiceSid);
  if (!service) return { status: 400, code: 21701, message: "The Messaging Service does not exist" };
  if (!service.rcsSender && !service.smsSenders.length) return { status: 400, code: 21704, message: "The Messaging Service contains no phone numbers" };
  if (!p.Body && !p.ContentSid) return { status: 400, code: 21602 };
  return null;
}

/** Where a service send goes for a device that does (or doesn't) have RCS. */
export function routeServiceSend(service: TwilioMessagingService, rcsCapable: boolean): ServiceRoute {
  if (service.rcsSender && rcsCapable) return { kind: "rcs", from: service.rcsSender };
  if (service.smsSenders.length) return { kind: "sms", from: service.smsSenders[0], fellBack: !!service.rcsSender };
  return { kind: "failed", from: service.rcsSender!, errorCode: "63106" };
}

/** GET /v1/Services/{sid}: the resource as the Messaging API returns it. */
export function serviceJson(accountSid: string, s: TwilioMessagingService, baseUrl: string) {
  const at = new Date(0).toISOString();
  return {
    sid: s.sid, account_sid: accountSid, friendly_name: s.friendlyName ?? "OTP RCS", date_created: at, date_updated: at,
    inbound_request_url: null, inbound_method: "POST", fallback_url: null, fallback_method: "POST", status_callback: null,
    sticky_sender: true, mms_converter: true, smart_encoding: true, scan_message_content: "inherit", fallback_to_long_code: true,
    area_code_geomatch: true, validity_period: 14400, synchronous_validation: true, usecase: "notifications", us_app_to_person_registered: false,
    use_inbound_webhook_on_number: false, url: `${baseUrl}/v1/Services/${s.sid}`,
    links: { phone_numbers: `${baseUrl}/v1/Services/${s.sid}/PhoneNumbers`, channel_senders: `${baseUrl}/v1/Services/${s.sid}/ChannelSenders` },
  };
}
