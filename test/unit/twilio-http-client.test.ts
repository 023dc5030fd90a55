import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { TwilioHttpClient, TwilioTransportError } from "../../server/src/providers/twilio/twilio-http-client";
import { freePort } from "../helpers/gateway";

/**
 * The Twilio SDK's transport on undici: what reaches the wire is what the SDK's axios client
 * sent (form encoding with repeated keys, Basic auth, the SDK's headers), and a vendor that
 * hangs or can't be reached ends as a transport error the provider classifies as transient.
 */
describe("TwilioHttpClient", () => {
  let server: http.Server;
  let url: string;
  const seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let hang = false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
        if (hang) return; // never answers
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ sid: "CA123", status: "queued" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("sends what the SDK built: form body with repeated keys, Basic auth, the SDK's headers", async () => {
    const httpClient = new TwilioHttpClient(2000);
    const client = twilio("AC00000000000000000000000000000001", "secret-token", { httpClient: httpClient as never, autoRetry: false });
    (client.api as unknown as { baseUrl: string }).baseUrl = url;
    const call = await client.calls.create({ to: "+14155550100", from: "+15005550006", twiml: "<Response/>", statusCallback: "https://x.example/cb", statusCallbackEvent: ["completed", "answered"] });
    expect(call.sid).toBe("CA123");
    const req = seen.at(-1)!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls.json");
    expect(req.headers.authorization).toBe("Basic " + Buffer.from("AC00000000000000000000000000000001:secret-token").toString("base64"));
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req.headers["user-agent"]).toMatch(/^twilio-node\//);
    const form = new URLSearchParams(req.body);
    expect(form.getAll("StatusCallbackEvent")).toEqual(["completed", "answered"]);
    expect(form.get("To")).toBe("+14155550100");
    await httpClient.close();
  });

  it("a vendor that doesn't answer ends at the timeout as TIMEOUT, one that can't be reached as NETWORK", async () => {
    hang = true;
    const httpClient = new TwilioHttpClient(300);
    const started = Date.now();
    const err = await httpClient.request({ method: "post", uri: `${url}/x`, data: { A: "1" }, headers: { "Content-Type": "application/x-www-form-urlencoded" } }).catch((e) => e);
    expect(err).toBeInstanceOf(TwilioTransportError);
    expect(err).toMatchObject({ code: "TIMEOUT" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
    hang = false;
    const closed = await freePort();
    const refused = await httpClient.request({ method: "get", uri: `http://127.0.0.1:${closed}/y`, username: "AC1", password: "secret-token" }).catch((e) => e);
    expect(refused).toMatchObject({ code: "NETWORK" });
    expect(refused.message).toContain("ECONNREFUSED");
    // The words reach logs and the dashboard (delivery attempts): never the credentials.
    expect(`${refused.message} ${err.message}`).not.toContain("secret-token");
    expect(refused.message).not.toContain(Buffer.from("AC1:secret-token").toString("base64"));
    await httpClient.close();
  });
});
