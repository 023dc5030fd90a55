import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

/**
 * A database error in an operation is logged with what identifies it — message, SQLSTATE,
 * constraint, the query's placeholders — and never with the values it ran on: typeorm's
 * `parameters` (code hash and cipher, the raw destination, the client IP) and pg's `detail`
 * ("Failing row contains (…)") are dropped by the logger's error serializer.
 */
describe("error logs", () => {
  let gw: TestGateway;
  let key: string;

  beforeAll(async () => {
    gw = await startGateway();
    key = (await gw.createApp({ name: "Logs" })).key;
  });
  afterAll(() => gw?.stop());

  it("a failing INSERT is logged without its parameters, the failing row or the values in the message", async () => {
    const destination = "+14155550987";
    await gw.app.db.ds.query(`ALTER TABLE verifications ADD CONSTRAINT refuse_one CHECK (destination <> '${destination}')`);
    try {
      const from = gw.logs.lines.length;
      const r = await gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp: "198.51.100.77" } });
      expect(errorCode(r)).toBe("INTERNAL_SERVER_ERROR");
      const lines = gw.logs.lines.slice(from);
      const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "internal error in a GraphQL operation");
      expect(line, lines.join("\n")).toBeDefined();
      expect(line.err.message).toMatch(/violates check constraint "refuse_one"/);
      expect(line.err.constraint).toBe("refuse_one");
      expect(line.err.sqlState).toBe("23514");
      expect(line.err.parameters).toBeUndefined();
      expect(line.err.driverError).toBeUndefined();
      expect(line.err.detail).toBeUndefined();
      const text = lines.join("\n");
      expect(text).not.toContain("4155550987");
      expect(text).not.toContain("198.51.100.77");
      expect(text).not.toMatch(/\\\\x[0-9a-f]{16}/); // no bytea (code hash or cipher) printed
    } finally {
      await gw.app.db.ds.query(`ALTER TABLE verifications DROP CONSTRAINT refuse_one`);
    }
  });

  it("a value pg quotes in its message is blanked", async () => {
    const from = gw.logs.lines.length;
    // Straight to the logger, as any component's catch would log it.
    const err = await gw.app.db.ds.query(`SELECT $1::uuid`, ["not-a-uuid-4155550123"]).catch((e: unknown) => e);
    gw.app.log.error({ err }, "probe");
    const line = JSON.parse(gw.logs.lines.slice(from).find((l) => l.includes('"probe"'))!);
    expect(line.err.message).toBe('invalid input syntax for type uuid: "[redacted]"');
    expect(JSON.stringify(line)).not.toContain("4155550123");
  });
});
