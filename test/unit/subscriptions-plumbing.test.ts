import { describe, expect, it } from "vitest";
import { eventQueue } from "../../server/src/graphql/event-queue";
import { clientIpResolver } from "../../server/src/http/trust-proxy";

const req = (socket: string, xff?: string) => ({ socket: { remoteAddress: socket }, headers: xff ? { "x-forwarded-for": xff } : {} });

describe("clientIpResolver (WebSocket upgrades, as fastify treats HTTP)", () => {
  it("without TRUST_PROXY, X-Forwarded-For is ignored", () => {
    expect(clientIpResolver(undefined)(req("10.0.0.5", "203.0.113.7"))).toBe("10.0.0.5");
  });

  it("trusts listed proxies and named ranges, walking from the nearest hop", () => {
    const ip = clientIpResolver("10.0.0.0/8,loopback");
    expect(ip(req("10.0.0.5", "203.0.113.7"))).toBe("203.0.113.7");
    expect(ip(req("::ffff:127.0.0.1", "203.0.113.7"))).toBe("203.0.113.7");
    // A client can prepend anything; only what trusted hops added counts.
    expect(ip(req("10.0.0.5", "1.1.1.1, 203.0.113.7, 10.1.2.3"))).toBe("203.0.113.7");
    // An untrusted peer's X-Forwarded-For is not believed.
    expect(ip(req("198.51.100.9", "203.0.113.7"))).toBe("198.51.100.9");
    expect(clientIpResolver("uniquelocal")(req("fd00::1", "2001:db8::7"))).toBe("2001:db8::7");
  });

  it("a hop count trusts that many proxies", () => {
    expect(clientIpResolver("1")(req("10.0.0.5", "1.1.1.1, 203.0.113.7"))).toBe("203.0.113.7");
    expect(clientIpResolver("2")(req("10.0.0.5", "1.1.1.1, 203.0.113.7"))).toBe("1.1.1.1");
    expect(clientIpResolver("5")(req("10.0.0.5", "203.0.113.7"))).toBe("203.0.113.7");
  });
});

describe("eventQueue backpressure", () => {
  const drain = async <T>(q: AsyncIterator<T>, n: number) => {
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push((await q.next()).value);
    return out;
  };

  it("a slow reader gets every event while the buffer has room", async () => {
    const q = eventQueue<number>(() => undefined, { maxBuffer: 3 });
    q.push(1); q.push(2); q.push(3);
    expect(await drain(q, 3)).toEqual([1, 2, 3]);
  });

  it("when full, a newer state replaces the oldest buffered one of the same key", async () => {
    const q = eventQueue<{ id: string; s: string }>(() => undefined, { maxBuffer: 2, keyOf: (e) => e.id });
    q.push({ id: "a", s: "QUEUED" });
    q.push({ id: "b", s: "QUEUED" });
    q.push({ id: "a", s: "SENDING" });
    q.push({ id: "a", s: "SENT" });
    expect(await drain(q, 2)).toEqual([{ id: "b", s: "QUEUED" }, { id: "a", s: "SENT" }]);
    expect(q.closed).toBe(false);
  });

  it("when full with nothing to supersede, the stream ends (the client resubscribes to a fresh snapshot) and cleans up once", async () => {
    let closed = 0;
    const q = eventQueue<{ id: string }>(() => closed++, { maxBuffer: 2, keyOf: (e) => e.id });
    q.push({ id: "a" }); q.push({ id: "b" }); q.push({ id: "c" });
    expect(closed).toBe(1);
    expect(await q.next()).toEqual({ value: undefined, done: true });
    await q.return!();
    expect(closed).toBe(1);
  });

  it("return() ends a waiting reader and runs the cleanup exactly once", async () => {
    let closed = 0;
    const q = eventQueue<number>(() => closed++);
    const pending = q.next();
    await q.return!();
    await q.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
    q.push(1);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
});
