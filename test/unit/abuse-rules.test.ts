import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, specifiedRules, validate, type GraphQLSchema } from "graphql";
import { buildClientSchema } from "../../server/src/graphql/schema";
import { singleOtpMutationRule } from "../../server/src/graphql/single-otp-mutation-rule";
import pino from "pino";
import { ipLimitKey, maskIp } from "../../server/src/protection/client-ip";
import { ClientIpHint, clientIpShareHint } from "../../server/src/protection/client-ip-hint";
import { DEFAULT_LIMITS, effectiveLimits, limitsProblems } from "../../server/src/protection/abuse-settings";
import { checkNumberType, numberPrefix } from "../../server/src/protection/number-policy";
import { parsePhone } from "../../server/src/verification/destination";
import { Channel } from "../../server/src/verification/enums";
import { LogCapture } from "../helpers/log-capture";

/** The pure pieces of abuse protection, checked without a server. */
describe("abuse rules (unit)", () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildClientSchema();
  });
  const otpErrors = (query: string) => validate(schema, parse(query), [singleOtpMutationRule()]).map((e) => e.message);

  it("counts OTP mutations through fragments, without looping on fragment cycles", () => {
    expect(otpErrors(`mutation { cancelOtp(verificationId: "x") { id } verifyOtp(input: { code: "123456" }) { status } }`)).toEqual([]);
    expect(otpErrors(`mutation { a: verifyOtp(input: { code: "1" }) { status } b: resendOtp(verificationId: "x") { id } }`)).toHaveLength(1);
    // A cycle is invalid (NoFragmentCycles says so); this rule must still terminate and count what it sees.
    const cyclic = `mutation { ...A } fragment A on Mutation { x: verifyOtp(input: { code: "1" }) { status } ...B }
      fragment B on Mutation { y: verifyOtp(input: { code: "2" }) { status } ...A }`;
    expect(otpErrors(cyclic)).toEqual([expect.stringMatching(/found 2/)]);
    expect(validate(schema, parse(cyclic), specifiedRules).some((e) => /cannot spread fragment "A" within itself/i.test(e.message))).toBe(true);
  });

  it("keys IPs for per-IP limits: IPv4 as is, mapped IPv4 unwrapped, IPv6 by /64", () => {
    expect(ipLimitKey("203.0.113.7")).toBe("203.0.113.7");
    expect(ipLimitKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipLimitKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(ipLimitKey("2001:0DB8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(ipLimitKey("::1")).toBe("0:0:0:0::/64");
    expect(ipLimitKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
    expect(maskIp("203.0.113.7")).toBe("203.0.113.*");
  });

  it("merges an app's limit overrides over the defaults; null switches one off; the NIST cap can't be exceeded", () => {
    const l = effectiveLimits({ limits: { sendsPerIp: null, pumping: { prefix: { floor: 5 }, mode: "record_only" } } });
    expect(l.sendsPerIp).toBeNull();
    expect(l.sendsPerPrefix).toEqual(DEFAULT_LIMITS.sendsPerPrefix);
    expect(l.pumping.prefix).toEqual({ ...DEFAULT_LIMITS.pumping.prefix, floor: 5 });
    expect(l.pumping.country).toEqual(DEFAULT_LIMITS.pumping.country);
    expect(l.pumping.mode).toBe("record_only");
    expect(effectiveLimits({}).pumping.mode).toBe("enforce");
    expect(effectiveLimits({}).spendCeiling).toEqual({ paidPerDay: null, emailPerDay: null });
    expect(l.verifyFailuresPerDestinationPerDay).toBe(100);
    expect(limitsProblems({ verifyFailuresPerDestinationPerDay: 500 })).toEqual([expect.stringMatching(/verifyFailuresPerDestinationPerDay/)]);
    expect(limitsProblems({ sendsPerIP: { max: 1, windowSeconds: 1 } })).toEqual([expect.stringMatching(/sendsPerIP/)]); // typo: unknown key
  });

  it("number types: what each may receive", () => {
    const allowed = (n: string, c: Channel) => { try { checkNumberType(parsePhone(n), c); return true; } catch { return false; } };
    expect([allowed("+33612345678", Channel.SMS), allowed("+33612345678", Channel.VOICE)]).toEqual([true, true]);
    expect([allowed("+442079460958", Channel.SMS), allowed("+442079460958", Channel.VOICE)]).toEqual([false, true]);
    expect([allowed("+19005550100", Channel.SMS), allowed("+19005550100", Channel.VOICE)]).toEqual([false, false]);
    expect([allowed("+33810123456", Channel.SMS), allowed("+33810123456", Channel.VOICE)]).toEqual([false, false]);
    expect(numberPrefix("+14155552671")).toBe("+1415555");
  });

  it("the log hint for requests without clientIp: once an hour per app, saying what it costs", () => {
    const logs = new LogCapture();
    let now = 1_000_000;
    const hint = new ClientIpHint(pino(logs), () => now);
    const shop = { id: "a1", name: "Shop" };
    const said = () => logs.lines.map((l) => JSON.parse(l)).filter((l) => /without clientIp/.test(l.msg));
    for (let i = 0; i < 50; i++) hint.missing(shop);
    hint.missing({ id: "a2", name: "Other" }); // another app: its own hour
    expect(said().map((l) => l.appId)).toEqual(["a1", "a2"]);
    expect(said()[0]).toMatchObject({ level: 30, app: "Shop", msg: expect.stringMatching(/per-IP limits do not apply to them/) });
    now += 3_599_999;
    hint.missing(shop);
    expect(said()).toHaveLength(2);
    now += 1;
    hint.missing(shop);
    expect(said().map((l) => l.appId)).toEqual(["a1", "a2", "a1"]);

    // The dashboard's and admin API's one-line hint: the share and its consequence.
    expect(clientIpShareHint(null)).toBe("No requests in the last 24 hours.");
    expect(clientIpShareHint(0)).toMatch(/per-IP limits apply to all of them/);
    expect(clientIpShareHint(0.204)).toMatch(/^20 % of requests come without clientIp: per-IP limits apply only to the rest/);
    expect(clientIpShareHint(1)).toMatch(/^100 % of requests come without clientIp: no per-IP limit applies/);
  });
});
