import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startGateway, type TestGateway } from "../helpers/gateway";
import { ConfigError, loadConfig } from "../../server/src/config/config";

/** METRICS_PORT: /metrics moves to a port of its own (one that need not face the internet) and leaves PORT. */
describe("METRICS_PORT", () => {
  let gw: TestGateway;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    gw = await startGateway({ env: { METRICS_PORT: String(metricsPort) } });
  });
  afterAll(() => gw?.stop());

  it("serves /metrics on METRICS_PORT only; health stays on PORT", async () => {
    const moved = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(moved.status).toBe(200);
    expect(moved.headers.get("content-type")).toMatch(/text\/plain/);
    expect(await moved.text()).toMatch(/^# HELP otp_operations_total/m);
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    // Nothing else is served on the metrics port.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/graphql`, { method: "POST" })).status).toBe(404);
  });

  it("refuses a METRICS_PORT equal to PORT, or not a port, at start-up, naming it", () => {
    for (const env of [{ PORT: "4100", METRICS_PORT: "4100" }, { METRICS_PORT: "metrics" }, { METRICS_PORT: "70000" }]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/METRICS_PORT/); // the message lists each problem by variable
    }
  });
});

/**
 * Production rules: /metrics answers only on METRICS_PORT (unset: off) or on PORT to a request
 * bearing METRICS_TOKEN; anything else is the same 404 as an unknown route.
 */
describe("/metrics in production", () => {
  const PRODUCTION = { NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", OUTBOX_IN_PRODUCTION: "true" };
  const TOKEN = "metrics-token-0123456789abcdef0123456789";

  it("is off with neither METRICS_PORT nor METRICS_TOKEN: 404 on PORT, like an unknown route", async () => {
    const gw = await startGateway({ env: PRODUCTION });
    try {
      const res = await fetch(`${gw.url}/metrics`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toMatch(/otp_operations_total/);
      expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  it("with METRICS_TOKEN, PORT serves it only to the bearer of the token; METRICS_PORT serves it as before", async () => {
    const metricsPort = await freePort();
    const gw = await startGateway({ env: { ...PRODUCTION, METRICS_TOKEN: TOKEN, METRICS_PORT: String(metricsPort) } });
    try {
      const unknownRoute = await (await fetch(`${gw.url}/no-such-route`)).json();
      for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, `Basic ${TOKEN}`, "Bearer "]) {
        const res = await fetch(`${gw.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
        expect(res.status, String(authorization)).toBe(404);
        expect(Object.keys(await res.json())).toEqual(Object.keys(unknownRoute));
      }
      const ok = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^# HELP otp_operations_total/m);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  it("refuses a short METRICS_TOKEN at start-up, naming it and not its value", () => {
    const short = "too-short-token";
    expect(() => loadConfig({ METRICS_TOKEN: short })).toThrow(/METRICS_TOKEN must be at least 32 characters/);
    try {
      loadConfig({ METRICS_TOKEN: short });
    } catch (e) {
      expect((e as Error).message).not.toContain(short);
    }
  });
});
