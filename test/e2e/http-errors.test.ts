import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startVendors, type Vendors } from "../helpers/vendors";

/**
 * "Errors beside GraphQL": what is refused before any GraphQL runs — too large, not JSON, the
 * wrong content type, a route that isn't there — is still a GraphQL response on /graphql and
 * /admin/graphql (BAD_USER_INPUT for what the caller sent), JSON on the webhooks, and never
 * carries fastify's own error names.
 */
describe("errors beside GraphQL", () => {
  let gw: TestGateway;
  let vendors: Vendors;
  let key: string;

  beforeAll(async () => {
    vendors = await startVendors({ only: ["twilio", "vonage"] });
    gw = await startGateway({ env: vendors.env });
    key = (await gw.createApp({ name: "Errors" })).key;
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const send = async (path: string, init: RequestInit & { headers?: Record<string, string> }) => {
    const res = await fetch(`${gw.url}${path}`, { method: "POST", ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });
    const text = await res.text();
    return { status: res.status, type: res.headers.get("content-type") ?? "", text, body: JSON.parse(text) };
  };
  const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(70 * 1024) } });

  describe.each(["/graphql", "/admin/graphql"])("%s", (path) => {
    const expectGraphqlRefusal = (r: Awaited<ReturnType<typeof send>>, status: number, code: string) => {
      expect(r.status, r.text).toBe(status);
      expect(r.type).toMatch(/^application\/json/);
      expect(Object.keys(r.body)).toEqual(["errors"]);
      expect(r.body.errors).toHaveLength(1);
      expect(typeof r.body.errors[0].message).toBe("string");
      expect(r.body.errors[0].extensions.code).toBe(code);
      expect(r.text).not.toMatch(/FST_|statusCode/);
    };

    it("a body over 64 KiB is 413 BAD_USER_INPUT", async () => {
      expectGraphqlRefusal(await send(path, { body: big, headers: { "content-type": "application/json" } }), 413, "BAD_USER_INPUT");
    });

    it("unparseable or empty JSON is 400 BAD_USER_INPUT", async () => {
      expectGraphqlRefusal(await send(path, { body: `{"query": "{ __typename }"`, headers: { "content-type": "application/json" } }), 400, "BAD_USER_INPUT");
      expectGraphqlRefusal(await send(path, { body: "", headers: { "content-type": "application/json" } }), 400, "BAD_USER_INPUT");
    });

    it.each(["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"])("content type %s is 415 BAD_USER_INPUT", async (type) => {
      const body = type.startsWith("application/x-www") ? "query=%7B__typename%7D" : `{"query":"{ __typename }"}`;
      expectGraphqlRefusal(await send(path, { body, headers: { "content-type": type } }), 415, "BAD_USER_INPUT");
    });

    it("an unknown route under it is 404 NOT_FOUND", async () => {
      expectGraphqlRefusal(await send(`${path}/nothing`, { body: `{"query":"{ __typename }"}`, headers: { "content-type": "application/json" } }), 404, "NOT_FOUND");
      expectGraphqlRefusal(await send(`${path}/nothing`, { method: "GET", headers: { accept: "text/html" } }), 404, "NOT_FOUND");
    });

    it("Apollo's own HTTP refusals (a GET a cross-site page could send) are GraphQL responses too", async () => {
      expectGraphqlRefusal(await send(`${path}?query=%7B__typename%7D`, { method: "GET", headers: { accept: "application/json" } }), 400, "BAD_USER_INPUT");
    });

    it("a well-formed request still works", async () => {
      const r = await send(path, { body: `{"query":"{ __typename }"}`, headers: { "content-type": "application/json" } });
      expect(r.text).not.toMatch(/FST_/);
      if (path === "/graphql") expect(r.body).toEqual({ data: { __typename: "Query" } });
      else expect(r.body.data ?? r.body.errors).toBeDefined();
    });
  });

  it.each(["/webhooks/twilio/status", "/webhooks/vonage/status"])("%s answers JSON for a body too large, bad JSON and a wrong content type", async (path) => {
    const cases: Array<[RequestInit & { headers: Record<string, string> }, number]> = [
      [{ body: big, headers: { "content-type": "application/json" } }, 413],
      [{ body: "{nope", headers: { "content-type": "application/json" } }, 400],
      [{ body: "<xml/>", headers: { "content-type": "application/xml" } }, 415],
    ];
    for (const [init, status] of cases) {
      const r = await send(path, init);
      expect(r.type).toMatch(/^application\/json/);
      expect(r.text).not.toMatch(/FST_|statusCode/);
      // Vonage receipts have their signature checked before the body is trusted: an unsigned one
      // with a broken body is refused as unsigned (403, JSON) before its JSON is judged.
      if (path === "/webhooks/vonage/status" && status === 400 && r.status === 403) {
        expect(r.body).toMatchObject({ error: expect.any(String) });
        continue;
      }
      expect(r.status, `${init.headers["content-type"]}: ${r.text}`).toBe(status);
      expect(r.body).toMatchObject({ code: "BAD_USER_INPUT", error: expect.any(String) });
    }
    const missing = await send(`${path}/nothing`, { body: "{}", headers: { "content-type": "application/json" } });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: "NOT_FOUND" });
  });
});
