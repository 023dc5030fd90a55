import { registerEnumType } from "type-graphql";

export enum Channel {
  SMS = "SMS", VOICE = "VOICE", EMAIL = "EMAIL", WHATSAPP = "WHATSAPP",
  /** Telegram's Gateway API: our code in Telegram's own verification message (providers/telegram). */
  TELEGRAM = "TELEGRAM",
  RCS = "RCS",
}
export enum VerificationStatus {
  PENDING = "PENDING",
  APPROVED = "APPROVED",
  EXPIRED = "EXPIRED",
  CANCELED = "CANCELED",
  MAX_ATTEMPTS_REACHED = "MAX_ATTEMPTS_REACHED",
  FAILED = "FAILED",
}
export enum DeliveryStatus { QUEUED = "QUEUED", SENDING = "SENDING", SENT = "SENT", DELIVERED = "DELIVERED", UNDELIVERED = "UNDELIVERED", FAILED = "FAILED" }

registerEnumType(Channel, { name: "Channel" });
registerEnumType(VerificationStatus, { name: "VerificationStatus" });
registerEnumType(DeliveryStatus, { name: "DeliveryStatus" });
