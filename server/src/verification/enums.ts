/**
 * The enums every part of the gateway uses. Plain TypeScript: their GraphQL names are
 * registered in enum-types.ts by the schemas that show them, so that a worker, which serves no
 * GraphQL, doesn't load type-graphql and graphql for three enums.
 */
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
