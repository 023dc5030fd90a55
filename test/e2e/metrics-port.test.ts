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
