/**
 * What the timeline says for the http provider's own failures. The vendor's error codes are its
 * own (shown as they came); these are the ones the gateway gives its answers.
 */
export const HTTP_PROVIDER_ERRORS: Record<string, string> = {
  HTTP_400: "Our own SMS vendor (the http provider) refused this message as malformed or undeliverable. Check its logs for the message id.",
  HTTP_401: "Our own vendor (the http provider) refused the gateway's signature. An operator must give both the same HTTP_PROVIDER_SECRET.",
  HTTP_403: "Our own vendor (the http provider) refused the gateway's signature or this request. An operator must check HTTP_PROVIDER_SECRET.",
  HTTP_404: "Nothing answers at HTTP_PROVIDER_URL (404). An operator must fix the URL.",
  HTTP_422: "Our own vendor (the http provider) could not deliver to this destination and said so at once. Ask the customer to check the number or address.",
  HTTP_429: "Our own vendor (the http provider) is throttling the gateway. The gateway retries.",
  HTTP_500: "Our own vendor (the http provider) failed internally. The gateway retries, then fails over.",
  HTTP_502: "A proxy in front of our own vendor (the http provider) failed. The gateway retries, then fails over.",
  HTTP_503: "Our own vendor (the http provider) is unavailable. The gateway retries, then fails over.",
  TIMEOUT: "Our own vendor (the http provider) did not answer in time (PROVIDER_TIMEOUT_MS). The gateway retries; the vendor drops duplicates by webhook-id.",
  BAD_RESPONSE: "Our own vendor (the http provider) answered 2xx without a messageId, so its status reports could not be matched. It must answer { \"messageId\": \"…\" }.",
};
