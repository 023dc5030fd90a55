import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { gql } from "../helpers/graphql-client";
import { codeFromOutboxTable, eventually } from "../helpers/codes";
import { requestOtp, verifyOtp } from "../helpers/abuse";
import { collect, wsClient } from "../helpers/ws-client";

const PRODUCTION = { NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", OUTBOX_IN_PRODUCTION: "true" };

/**
 * NODE_ENV=production hides the schema (no introspection, no suggestions, no landing page),
 * never answers with a stack trace, masks internal errors behind the request's id (which the
 * log line carries), and keeps fixed-code test destinations off unless explicitly allowed.
 * A development gateway is the contrast that shows each check can fail.
 */
describe("abuse protection: production mode", () => {
  let prod: TestGateway;
  let dev: TestGateway;
  let prodApp: { id: string; key: string };
  let devApp: { id: string; key: string };

  beforeAll(async () => {
    prod = await startGateway({ env: PRODUCTION });
    dev = await startGateway();
    prodApp = await prod.createApp({ name: "Prod" });
    devApp = await dev.createApp({ name: "Dev" });
  });
  afterAll(async () => {
    await prod?.stop();
    await dev?.stop();
  });

  it("introspection is refused in production (HTTP and WebSocket), allowed in development", async () => {
    for (const query of [`{ __schema { queryType { name } } }`, `{ __type(name: "Verification") { fields { name } } }`]) {
      const r = await gql(prod.url, prodApp.key, query);
      expect(r.status).toBe(400);
      expect(r.errors![0].extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(r.data).toBeUndefined();
      expect((await gql(dev.url, devApp.key, query)).data).toBeTruthy();
    }
    const client = wsClient(prod.url, prodApp.key);
    try {
      const sub = collect(client, `{ __schema { queryType { name } } }`, {});
      await eventually(() => (sub.error ? true : undefined), "the refusal over WebSocket");
      expect(JSON.stringify(sub.error)).toMatch(/introspection/i);
    } finally {
      await client.dispose();
    }
  });

  it("no field or enum suggestions in production", async () => {
    const typo = `{ verificaton(id: "x") { id } }`;
    expect((await gql(dev.url, devApp.key, typo)).errors![0].message).toMatch(/Did you mean/);
    const r = await gql(prod.url, prodApp.key, typo);
    expect(r.errors![0].message).toBe('Cannot query field "verificaton" on type "Query".');
    const enumTypo = await requestOtp(prod, prodApp.key, "+14155550801", { channel: "SMSS" });
    expect(enumTypo.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
    expect(enumTypo.errors![0].message).not.toMatch(/Did you mean/);
  });

  it("no landing page in production", async () => {
    const page = (gw: TestGateway) => fetch(`${gw.url}/graphql`, { headers: { accept: "text/html" } });
    const devPage = await page(dev);
    expect(devPage.headers.get("content-type")).toMatch(/text\/html/);
    const prodPage = await page(prod);
    expect(prodPage.headers.get("content-type") ?? "").not.toMatch(/text\/html/);
    expect(await prodPage.text()).not.toMatch(/<html/i);
  });

  it("an internal error is masked, carries the request's id, never a stack trace, and the log line has the same id and the cause", async () => {
    const ds = prod.app.db.ds;
    await ds.query(`CREATE FUNCTION otpg_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'secret internal detail 4242'; END $$`);
    await ds.query(`CREATE TRIGGER otpg_test_boom BEFORE INSERT ON verifications FOR EACH ROW EXECUTE FUNCTION otpg_test_boom()`);
    try {
      const res = await fetch(`${prod.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${prodApp.key}` },
        body: JSON.stringify({ query: `mutation { requestOtp(input: { destination: "+14155550802", channel: SMS }) { id } }` }),
      });
      const text = await res.text();
      expect(text).not.toContain("secret internal detail");
      expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+/i);
      const error = JSON.parse(text).errors[0];
      const requestId = res.headers.get("x-request-id");
      expect(requestId).toBeTruthy();
      expect(error).toMatchObject({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", errorId: requestId } });
      const line = await eventually(
        () => prod.logs.lines.map((l) => JSON.parse(l)).find((l) => l.errorId === requestId && l.msg === "internal error in a GraphQL operation"),
        "the error's log line",
      );
      expect(JSON.stringify(line.err)).toContain("secret internal detail 4242");
    } finally {
      await ds.query(`DROP TRIGGER otpg_test_boom ON verifications; DROP FUNCTION otpg_test_boom()`);
    }
  });

  it("test destinations are refused when an app is saved, and ignored if one already has them", async () => {
    const tests = [{ destination: "+14155550803", code: "123456" }];
    await expect(prod.app.services.apps.create({ name: "QA", settings: { testDestinations: tests } })).rejects.toThrow(/not allowed in production unless ALLOW_TEST_DESTINATIONS=true/);
    await expect(prod.app.services.apps.updateSettings(prodApp.id, { testDestinations: tests })).rejects.toThrow(/ALLOW_TEST_DESTINATIONS/);

    // Saved while the gateway ran in development, say: the fixed code must not work here.
    await prod.app.db.ds.query(`UPDATE apps SET settings = settings || $2::jsonb WHERE id = $1`, [prodApp.id, JSON.stringify({ testDestinations: tests })]);
    const v = (await requestOtp(prod, prodApp.key, "+14155550803")).data.requestOtp;
    expect(v.deliveries[0].provider).toBe("outbox");
    const code = await codeFromOutboxTable(prod.app.db.ds, "+14155550803");
    if (code !== "123456") expect((await verifyOtp(prod, prodApp.key, { verificationId: v.id, code: "123456" })).data.verifyOtp.status).toBe("PENDING");
    expect((await verifyOtp(prod, prodApp.key, { verificationId: v.id, code })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("with ALLOW_TEST_DESTINATIONS=true, production takes them", async () => {
    const allowed = await startGateway({ env: { ...PRODUCTION, ALLOW_TEST_DESTINATIONS: "true" } });
    try {
      const qa = await allowed.createApp({ name: "QA", settings: { testDestinations: [{ destination: "+14155550804", code: "123456" }] } });
      const v = (await requestOtp(allowed, qa.key, "+14155550804")).data.requestOtp;
      expect(v.deliveries[0].provider).toBe("test");
      expect((await verifyOtp(allowed, qa.key, { verificationId: v.id, code: "123456" })).data.verifyOtp.status).toBe("APPROVED");
    } finally {
      await allowed.stop();
    }
  });
});
