import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, LOGIN, STAFF_PASSWORD, createStaff } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

const ADDR = (n: number) => `spray${n}@example.com`;
const wrongLogin = (c: AdminClient, email: string) => c.login(email, "not the right password at all");

/**
 * The admin API's own limits: sign-in attempts counted per IPv6 /64, one password check per
 * operation, a cost limit on lists with nested timelines, paging checked on every list, and the
 * live-log socket refusing other sites' pages. Each test sets up what it uses.
 */
describe("admin API limits", () => {
  let gw: TestGateway;
  let shop: { id: string; key: string };
  let seq = 0;
  /** A client speaking from its own IPv4 address (TRUST_PROXY), so per-IP counts don't couple tests. */
  const fresh = () => new AdminClient(gw.url, { "x-forwarded-for": `198.51.100.${++seq}` });
  const auditCount = async () => (await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n as number;

  beforeAll(async () => {
    gw = await startGateway({ env: { ADMIN_LOGIN_MAX_PER_IP: "3", ADMIN_LOGIN_MAX_PER_EMAIL: "3", TRUST_PROXY: "127.0.0.1" } });
    shop = await gw.createApp({ name: "Shop" });
  });
  afterAll(() => gw?.stop());

  it("counts sign-in attempts from IPv6 per /64: rotating addresses inside one /64 doesn't buy more guesses", async () => {
    const from = (ip: string) => new AdminClient(gw.url, { "x-forwarded-for": ip });
    const codes: Array<string | undefined> = [];
    const sameSubscriber = ["2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:a:b:c:d", "2001:db8:5:6:ffff:ffff:ffff:ffff"];
    for (const [i, ip] of sameSubscriber.entries()) codes.push(errorCode(await wrongLogin(from(ip), ADDR(i))));
    expect(codes).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]);
    // The neighbouring /64 is another subscriber.
    expect(errorCode(await wrongLogin(from("2001:db8:5:7::1"), ADDR(10)))).toBe("UNAUTHENTICATED");
    const blocks = await gw.app.db.ds.query(`SELECT key_masked FROM rate_limit_blocks WHERE rule = 'admin_login_per_ip' AND key_masked LIKE '2001:db8:5:%'`);
    expect(blocks).toEqual([{ key_masked: "2001:db8:5:6::/64" }]);
  });

  it("refuses two logins in one operation — aliases or fragments — before checking any password", async () => {
    await createStaff(gw, "batch@example.com", "SUPPORT");
    const before = await auditCount();
    const guess = (n: number) => `login(email: "batch@example.com", password: "guess number ${n} wrong") { status }`;
    const docs = [
      `mutation { a: ${guess(1)} b: ${guess(2)} }`,
      `mutation { ...A ...B } fragment A on Mutation { a: ${guess(3)} } fragment B on Mutation { b: ${guess(4)} }`,
      `mutation { a: ${guess(5)} b: login(email: "batch@example.com", password: "${STAFF_PASSWORD}") { status } }`,
    ];
    for (const doc of docs) {
      const r = await fresh().gql(doc);
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(r.errors![0].message).toMatch(/At most one of login/);
    }
    // Nothing ran: no sign-in, and the address's budget (3) is whole.
    expect(await auditCount()).toBe(before);
    const c = fresh();
    for (let i = 0; i < 3; i++) expect(errorCode(await wrongLogin(fresh(), "batch@example.com"))).toBe("UNAUTHENTICATED");
    expect(errorCode(await c.login("batch@example.com"))).toBe("RATE_LIMITED");
  });

  it("refuses a page of verifications with their timelines past the cost limit (BAD_USER_INPUT on perPage), however the size is written", async () => {
    await createStaff(gw, "costly@example.com", "SUPPORT");
    const c = await AdminClient.signedIn(gw.url, "costly@example.com", STAFF_PASSWORD, { "x-forwarded-for": "203.0.113.50" });
    for (const n of ["+14155550141", "+14155550142"]) await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: n, channel: "SMS" } });
    const withTimeline = (perPage: string) => `verifications(perPage: ${perPage}) { total data { id timeline { kind summary } } }`;
    const refused = [
      { query: `{ ${withTimeline("500")} }` },
      { query: `query($n: Int!) { ${withTimeline("$n")} }`, variables: { n: 400 } },
      { query: `query($n: Int = 300) { ${withTimeline("$n")} }` },
      { query: `{ verifications(perPage: 300) { data { ...T } } } fragment T on VerificationRecord { id timeline { kind } }` },
      { query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: verifications(perPage: 500) { data { id status destination createdAt } }`).join(" ")} }` },
    ];
    for (const { query, variables } of refused) {
      const r = await c.gql(query, variables);
      expect(r.status, query).toBe(400);
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0].extensions!.field).toBe("perPage");
      expect(r.data).toBeUndefined();
    }
    // A page the dashboard asks for, a timeline one at a time, and a large page without timelines all pass.
    expect((await c.gql(`{ ${withTimeline("10")} }`)).data.verifications.data[0].timeline.length).toBeGreaterThan(0);
    expect((await c.gql(`query($n: Int!) { ${withTimeline("$n")} }`, { n: 20 })).errors).toBeUndefined();
    expect((await c.gql(`{ verifications(perPage: 500) { total data { id status destination createdAt } } }`)).data.verifications.total).toBeGreaterThanOrEqual(2);

    // The same limit over the live-log socket, which carries queries too.
    const ws = c.ws({ origin: gw.url });
    const overSocket = await new Promise<any>((resolve) => {
      ws.subscribe({ query: `{ ${withTimeline("500")} }` }, { next: (v) => resolve(v), error: (e) => resolve({ error: e }), complete: () => undefined });
    });
    expect(overSocket.error?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "perPage" });
    await ws.dispose();
  });

  it.each(["verifications", "deliveryAttempts", "blocks", "apps", "staffUsers", "auditLog", "outboxMessages", "totpFactors"])(
    "%s checks its paging: BAD_USER_INPUT naming page, perPage or sortOrder",
    async (list) => {
      await createStaff(gw, `pager-${list}@example.com`, "ADMIN");
      const c = await AdminClient.signedIn(gw.url, `pager-${list}@example.com`, STAFF_PASSWORD, { "x-forwarded-for": `203.0.113.${100 + list.length}` });
      const cases: Array<[string, string]> = [
        ["page: 0", "page"], ["page: -3", "page"], ["perPage: 0", "perPage"], ["perPage: 501", "perPage"], ["sortOrder: \"SIDEWAYS\"", "sortOrder"],
      ];
      for (const [args, field] of cases) {
        const r = await c.gql(`{ ${list}(${args}) { total } }`);
        expect(errorCode(r), `${list}(${args})`).toBe("BAD_USER_INPUT");
        expect(r.errors![0].extensions!.field).toBe(field);
      }
      expect((await c.gql(`{ ${list}(page: 1, perPage: 5, sortOrder: "ASC") { total } }`)).errors).toBeUndefined();
    },
  );

  it("an endpoint's webhook messages check their limit (1 to 100)", async () => {
    await createStaff(gw, "hooks@example.com", "ADMIN");
    const c = await AdminClient.signedIn(gw.url, "hooks@example.com", STAFF_PASSWORD, { "x-forwarded-for": "203.0.113.70" });
    // An app of its own with no traffic: the shop's (the outbox's played receipts included) would give the endpoint messages.
    const quiet = await gw.createApp({ name: "Quiet" });
    const { endpoint } = await gw.app.services.webhookEndpoints.add(quiet.id, "http://127.0.0.1:9/hook", null);
    const q = `query($a: ID!, $e: ID!, $n: Int!) { webhookMessages(appId: $a, endpointId: $e, limit: $n) { id } }`;
    for (const n of [0, 101, -1]) {
      const r = await c.gql(q, { a: quiet.id, e: endpoint.id, n });
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0].extensions!.field).toBe("limit");
    }
    expect((await c.gql(q, { a: quiet.id, e: endpoint.id, n: 100 })).data.webhookMessages).toEqual([]);
  });

  it("the live-log socket refuses a page from another origin, even with a valid session cookie", async () => {
    await createStaff(gw, "socket@example.com", "SUPPORT");
    const c = await AdminClient.signedIn(gw.url, "socket@example.com", STAFF_PASSWORD, { "x-forwarded-for": "203.0.113.60" });
    const attempt = async (origin: string) => {
      const ws = c.ws({ origin });
      const outcome = await new Promise<string>((resolve) => {
        ws.subscribe({ query: `{ me { email } }` }, { next: () => resolve("next"), error: () => resolve("error"), complete: () => resolve("complete") });
      });
      await ws.dispose();
      return { outcome, refusals: ws.upgradeErrors };
    };
    expect(await attempt("https://evil.example")).toEqual({ outcome: "error", refusals: ["403"] });
    expect(await attempt(gw.url.replace("127.0.0.1", "localhost"))).toEqual({ outcome: "error", refusals: ["403"] });
    expect(await attempt("null")).toEqual({ outcome: "error", refusals: ["403"] });
    // The dashboard's own origin is let in.
    expect((await attempt(gw.url)).refusals).toEqual([]);
  });
});
