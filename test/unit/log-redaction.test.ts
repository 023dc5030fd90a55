import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../server/src/observability/logger";
import { CENSOR, REDACTED_KEYS, redactLine } from "../../server/src/observability/log-redaction";

/** A logger writing into an array: what reaches the collector, line by line. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l)); cb(); } });
  return { log: createLogger("debug", sink), lines };
}

describe("log redaction", () => {
  it("censors every sensitive key at the top of a line, one object down and in its headers", () => {
    const { log, lines } = capture();
    for (const key of REDACTED_KEYS) {
      log.info({ [key]: "s3cret-top", nested: { [key]: "s3cret-nested", headers: { [key]: "s3cret-headers" }, keep: 1 }, headers: { [key]: "s3cret-h" } }, "line");
    }
    expect(lines).toHaveLength(REDACTED_KEYS.size);
    for (const line of lines) expect(JSON.stringify(line)).not.toContain("s3cret");
    expect((lines[0].nested as Record<string, unknown>).keep).toBe(1);
    expect(lines[0].authorization).toBe(CENSOR);
  });

  it("keeps what is not sensitive, and never changes the object the caller logged", () => {
    const { log, lines } = capture();
    const obj = { reqId: "r1", operation: "requestOtp", ms: 3.2, ctx: { code: "123456", appId: "a" } };
    log.info(obj, "graphql operation");
    expect(lines[0]).toMatchObject({ reqId: "r1", operation: "requestOtp", ms: 3.2, ctx: { code: CENSOR, appId: "a" }, msg: "graphql operation" });
    expect(obj.ctx.code).toBe("123456");
    const clean = { a: 1, b: { c: 2 } };
    expect(redactLine(clean)).toBe(clean);
  });

  it("serializes errors without the values they were computed from, and censors their code", () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error('invalid input syntax for type uuid: "+14155550100"'), { code: "22P02", parameters: ["+14155550100"], detail: "x" });
    log.error({ err }, "query failed");
    log.error(err);
    log.warn({ error: 'bad value: "123456"' }, "string error");
    for (const l of lines) expect(JSON.stringify(l)).not.toContain("+14155550100");
    expect(lines[0].err).toMatchObject({ message: 'invalid input syntax for type uuid: "[redacted]"', code: CENSOR, sqlState: "22P02" });
    expect((lines[0].err as Record<string, unknown>).parameters).toBeUndefined();
    expect((lines[0].err as Record<string, unknown>).stack).toContain("Error");
    expect(lines[1].err).toMatchObject({ code: CENSOR, type: "Error" });
    expect(lines[2].error).toBe('bad value: "[redacted]"');
  });

  it("refuses a child logger whose bindings carry a sensitive key (pino writes bindings uncensored)", () => {
    const { log, lines } = capture();
    expect(() => log.child({ token: "s3cret", component: "x" })).toThrow(/token/);
    expect(() => log.child({ component: "x", ctx: { code: "1" } })).toThrow(/ctx/);
    log.child({ component: "x" }).info("hi");
    expect(lines[0]).toMatchObject({ component: "x", msg: "hi" });
  });

  it("scrubs the message of an error logged alone", () => {
    const { log, lines } = capture();
    log.error(new Error('duplicate key value: "+14155550100"'));
    expect(lines[0].msg).toBe('duplicate key value: "[redacted]"');
  });
});
