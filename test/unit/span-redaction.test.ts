import { describe, expect, it } from "vitest";
import { environmentSecrets, REDACTED, SpanRedactor } from "../../server/src/observability/span-redaction";

/** The net under the instrumentations: every string of a span before it is exported. */
describe("span redaction", () => {
  const r = new SpanRedactor(environmentSecrets({
    OTP_SECRET: "otp-secret-value-0123456789abcdef", TWILIO_AUTH_TOKEN: "twilio-token-xyz",
    DATABASE_URL: "postgres://gw:db%2Fpass@db.internal:5432/otp", PORT: "8080", SHORT_TOKEN: "abc",
  }));

  it("URLs keep scheme, host, port and path; lose user:password, query values and fragment", () => {
    expect(r.value("url.full", "https://user:pw@hooks.example.com:8443/in/hook?token=s3cr3t&to=%2B14155550161#frag"))
      .toBe(`https://${REDACTED}@hooks.example.com:8443/in/hook?token=${REDACTED}&to=${REDACTED}`);
    expect(r.value("http.url", "http://127.0.0.1:43123/graphql")).toBe("http://127.0.0.1:43123/graphql");
    // Any string that is a URL, whatever its key (a connection string, say).
    expect(r.value("db.connection_string", "postgresql://gw:pw@db.internal:5432/otp")).toBe(`postgresql://${REDACTED}@db.internal:5432/otp`);
  });

  it("query strings keep their names only; a target keeps its path", () => {
    expect(r.value("url.query", "msisdn=14155550161&to=OTPGW&messageId=abc")).toBe(`msisdn=${REDACTED}&to=${REDACTED}&messageId=${REDACTED}`);
    expect(r.value("http.target", "/webhooks/vonage/status?msisdn=14155550161")).toBe(`/webhooks/vonage/status?msisdn=${REDACTED}`);
    expect(r.value("url.path", "/v2/PhoneNumbers/+14155550161")).toBe(`/v2/PhoneNumbers/${REDACTED}`);
    expect(r.value("url.path", `/enrol/${"Ab3_".repeat(11)}`)).toBe(`/enrol/${REDACTED}`);
    expect(r.value("url.path", "/v1/verifications/3f1c2a4b-1234-5678-9abc-def012345678")).toBe("/v1/verifications/3f1c2a4b-1234-5678-9abc-def012345678");
  });

  it("text loses phone numbers in any format, codes, e-mails, credentials, keys and the environment's secrets", () => {
    const cases: Array<[string, string]> = [
      [`mutation { requestOtp(input: { destination: "+14155550161" }) { id } }`, `mutation { requestOtp(input: { destination: "${REDACTED}" }) { id } }`],
      ["to 14155550161, (415) 555-0161 or 415-555-0161", `to ${REDACTED}, (${REDACTED} or ${REDACTED}`],
      [`verifyOtp(input: { code: "042117" })`, `verifyOtp(input: { code: "${REDACTED}" })`],
      ["send to Jane.Doe+otp@mail.example.co.uk failed", `send to ${REDACTED} failed`],
      ["Authorization: Bearer eyJhbGciOi.abc.def", `Authorization: Bearer ${REDACTED}`],
      [`key otpk_0123456789abcdef_${"x".repeat(43)} used`, `key otpk_0123456789abcdef_${REDACTED} used`],
      ["secret whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", `secret whsec_${REDACTED}`],
      ["OTP_SECRET is otp-secret-value-0123456789abcdef; token twilio-token-xyz", `OTP_SECRET is ${REDACTED}; token ${REDACTED}`],
      ["password db/pass in a message", `password ${REDACTED} in a message`],
    ];
    for (const [input, expected] of cases) expect(r.text(input)).toBe(expected);
  });

  it("leaves what names the work: ids, short numbers, addresses, SQL placeholders", () => {
    for (const s of ["delivery.send", "3f1c2a4b-1234-5678-9abc-def012345678", "SELECT * FROM verifications WHERE id = $1", "127.0.0.1", "POST", "status 503", "otp.attempt"]) {
      expect(r.text(s)).toBe(s);
    }
    expect(r.value("http.response.status_code", 200)).toBe(200);
  });

  it("span names: a method and target lose the query's values, other names are text", () => {
    expect(r.name("GET /webhooks/vonage/status?msisdn=14155550161&nonce=abcdef")).toBe(`GET /webhooks/vonage/status?msisdn=${REDACTED}&nonce=${REDACTED}`);
    expect(r.name("POST")).toBe("POST");
    expect(r.name("query verification")).toBe("query verification");
    expect(r.name("send to +14155550161")).toBe(`send to ${REDACTED}`);
  });

  it("drops header attributes whole", () => {
    expect(r.attributes({ "http.request.header.authorization": ["Bearer x"], "http.response.header.set-cookie": ["s=1"], "http.request.method": "POST" }))
      .toEqual({ "http.request.method": "POST" });
  });

  it("finds the environment's secrets: named as such, or a URL's password; never a short or harmless value", () => {
    const found = environmentSecrets({ OTP_SECRET: "a".repeat(40), VONAGE_API_SECRET: "vsecret", REDIS_URL: "redis://:hunter22@r:6379", PORT: "8080", SHORT_TOKEN: "abc", NODE_ENV: "production" });
    expect(new Set(found)).toEqual(new Set(["a".repeat(40), "vsecret", "hunter22"]));
  });
});
