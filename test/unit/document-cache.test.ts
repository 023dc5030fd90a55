import { describe, expect, it } from "vitest";
import { cachedParser } from "../../server/src/graphql/document-cache";

/** graphql-ws's parser: one shared document per distinct query text, bounded, errors never kept. */
describe("cachedParser", () => {
  const q = (n: number) => `subscription { deliveryStatus(verificationId: "${n}") { verificationId } }`;

  it("returns the same document for the same text (subscriptions share it)", () => {
    const parse = cachedParser(1000);
    const a = parse(q(1));
    expect(parse(q(1))).toBe(a);
    expect(parse(q(2))).not.toBe(a);
  });

  it("still enforces the token limit and keeps no failed parse", () => {
    const parse = cachedParser(5);
    expect(() => parse(q(1))).toThrow(/more that 5 tokens/);
    expect(() => parse(q(1))).toThrow(/more that 5 tokens/);
    expect(() => cachedParser(1000)("subscription {")).toThrow(/Syntax Error/);
  });

  it("is bounded: the oldest entry goes first, and long texts are parsed but never kept", () => {
    const parse = cachedParser(1000, 2, 200);
    const first = parse(q(1));
    parse(q(2));
    parse(q(3));
    expect(parse(q(1))).not.toBe(first);
    const long = `${q(4)} ${"#".repeat(300)}`;
    expect(parse(long)).not.toBe(parse(long));
  });
});
