/** Plain-language explanations of the SNS error codes support staff meet (the query protocol's `<Code>`). */
export const SNS_ERRORS: Record<string, string> = {
  InvalidParameter: "SNS refused the request as invalid, most often the phone number. Ask the customer to check the number, including the country code.",
  InvalidParameterValue: "SNS refused a value in the request, most often the phone number or the sender id. Check the number; if it repeats for many, an operator must check AWS_SNS_SENDER_ID.",
  AuthorizationError: "Our AWS account may not send this SMS: missing sns:Publish permission, the account is still in the SNS SMS sandbox (only verified numbers), or the monthly spend limit is reached. An operator must fix it in AWS; meanwhile the gateway fails over.",
  InvalidClientTokenId: "AWS does not know our access key. An operator must fix AWS_ACCESS_KEY_ID (or the role the gateway runs with).",
  SignatureDoesNotMatch: "AWS refused our request signature: the secret access key is wrong. An operator must fix AWS_SECRET_ACCESS_KEY.",
  ExpiredToken: "Our temporary AWS credentials expired. An operator must refresh them (AWS_SESSION_TOKEN, or the role's session).",
  OptInRequired: "Our AWS account is not subscribed to SNS in this region. An operator must enable it.",
  CredentialsProviderError: "The gateway found no AWS credentials (no keys, profile or role). An operator must configure them.",
  Throttled: "SNS is throttling our account (too many messages per second). The gateway retries.",
  Throttling: "SNS is throttling our account (too many requests). The gateway retries.",
  InternalError: "Internal error at AWS SNS. The gateway retries, then fails over.",
  KMSThrottling: "AWS KMS is throttling the encryption SNS needs. The gateway retries.",
};
