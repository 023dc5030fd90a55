import { MESSAGEBIRD_DLR_ERRORS } from "./messagebird-status";

/** MessageBird's request error codes (`errors[].code` of a refused API call), in plain language. */
export const MESSAGEBIRD_REQUEST_ERRORS: Record<string, string> = {
  "2": "MessageBird refused our access key. An operator must fix MESSAGEBIRD_ACCESS_KEY.",
  "9": "MessageBird found a missing or invalid parameter, usually the recipient number. Ask the customer to check the number and country code.",
  "10": "MessageBird could not find what the gateway asked for: an operator must check MESSAGEBIRD_API_BASE_URL.",
  "21": "MessageBird refused the request as malformed: a gateway bug or misconfiguration (check MESSAGEBIRD_ORIGINATOR), not the customer's fault.",
  "25": "Our MessageBird balance is used up. An operator must top it up; meanwhile the gateway fails over.",
  "98": "MessageBird doesn't know this API path: an operator must check MESSAGEBIRD_API_BASE_URL.",
  "99": "Internal error at MessageBird. The gateway retries, then fails over.",
};

/** Status report codes (`statusErrorCode`) — the same numbers mean other things than request errors. */
export const MESSAGEBIRD_REPORT_ERRORS: Record<string, string> = {
  "1": `${MESSAGEBIRD_DLR_ERRORS["1"]}: the number is not known to the carrier. Ask the customer to confirm the number.`,
  "9": `${MESSAGEBIRD_DLR_ERRORS["9"]}: the carrier refuses this subscriber. Ask the customer to check with their carrier or use another channel.`,
  "13": `${MESSAGEBIRD_DLR_ERRORS["13"]}: the line may not receive SMS (barred by the carrier or the customer).`,
  "21": `${MESSAGEBIRD_DLR_ERRORS["21"]}: the line can't receive this kind of message (no SMS service).`,
  "27": `${MESSAGEBIRD_DLR_ERRORS["27"]}: the handset is off or out of coverage. Ask the customer to try again later or use a voice call.`,
  "31": `${MESSAGEBIRD_DLR_ERRORS["31"]}: the handset was busy. Retrying later usually works.`,
  "34": `${MESSAGEBIRD_DLR_ERRORS["34"]} at the carrier. Retrying later usually works.`,
};
