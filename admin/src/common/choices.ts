export const VERIFICATION_STATUSES = ["PENDING", "APPROVED", "EXPIRED", "CANCELED", "MAX_ATTEMPTS_REACHED", "FAILED"].map((id) => ({ id, name: id.replaceAll("_", " ") }));
export const DELIVERY_STATUSES = ["QUEUED", "SENDING", "SENT", "DELIVERED", "UNDELIVERED", "FAILED"].map((id) => ({ id, name: id }));
export const OUTCOMES = [
  { id: "SENT", name: "Accepted by the provider" },
  { id: "RETRY", name: "Refused, retried" },
  { id: "FAILED", name: "Refused, failed" },
];
export const ROLES = [
  { id: "SUPPORT", name: "SUPPORT — investigates, destinations masked" },
  { id: "ADMIN", name: "ADMIN — also apps, keys and staff" },
];
export const FACTOR_STATUSES = ["UNVERIFIED", "VERIFIED", "REVOKED"].map((id) => ({ id, name: id }));
