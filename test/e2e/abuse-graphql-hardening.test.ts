import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, gql } from "../helpers/graphql-client";
import { codeFromOutbox, eventually } from "../helpers/codes";
import { count, requestOtp, verifyOtp } from "../helpers/abuse";
import { collect, wsClient } from "../helpers/ws-client";

const BODY_CAP = 64 * 1024;

/**
 * GraphQL-level abuse: many guesses or sends hidden in one document (aliases, fragments),
 * oversized documents, batching, and cross-site requests. Each is refused before any resolver
 * runs, so nothing is spent. A second gateway with the document limits raised shows the
 * one-OTP-mutation rule holding on its own; a third with them lowered shows each is configurable.
 */
describe("abuse protection: GraphQL hardening", () => {
  let gw: TestGateway;
  let lax: TestGateway;
  let tight: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    gw = await startGateway();
    lax = await startGateway({ env: { GRAPHQL_MAX_TOKENS: "100000", GRAPHQL_MAX_ALIASES: "1000", GRAPHQL_MAX_COST: "1000000" } });
    tight = await startGateway({ env: { GRAPHQL_MAX_ALIASES: "2", GRAPHQL_MAX_DEPTH: "2", GRAPHQL_MAX_COST: "20", GRAPHQL_MAX_DIRECTIVES: "1" } });
    app = await gw.createApp({ name: "Hardened" });
  });
  afterAll(async () => {
    await gw?.stop();
    await lax?.stop();
    await tight?.stop();
  });

  const post = (target: TestGateway, key: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${target.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify(body) });

  /** One mutation with `codes.length` aliased verifyOtp, one per code; checks it fits under the body cap (so GraphQL, not the cap, refuses it). */
  function aliasedVerifies(codes: string[]) {
    const fields = codes.map((c, i) => `a${i}:verifyOtp(input:{destination:$d,code:"${c}"}){status}`).join(" ");
    const query = `mutation($d:String!){${fields}}`;
    expect(JSON.stringify({ query }).length).toBeLessThan(BODY_CAP);
    return query;
  }

  /** A pending verification and its code (read off the outbox, as the phone would). */
  async function pending(target: TestGateway, key: string, destination: string) {
    const id = (await requestOtp(target, key, destination)).data.requestOtp.id as string;
    return { id, code: await codeFromOutbox(target.logs, destination) };
  }

  async function expectUntouched(target: TestGateway, key: string, id: string) {
    expect((await gql(target.url, key, GET_VERIFICATION, { id })).data.verification).toMatchObject({ status: "PENDING", attemptsRemaining: 5 });
    expect(await count(target, "verify_attempts WHERE verification_id = $1", [id])).toBe(0);
  }

  it("1,000 aliased verifyOtp in one request find no code: refused before execution, nothing spent", async () => {
    const to = "+14155550601";
    const { id, code } = await pending(gw, app.key, to);
    const codes = Array.from({ length: 1000 }, (_, i) => String(i * 997).padStart(6, "0"));
    codes[613] = code;
    const res = await post(gw, app.key, { query: aliasedVerifies(codes), variables: { d: to } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED"); // the token limit, while reading
    await expectUntouched(gw, app.key, id);
    expect((await verifyOtp(gw, app.key, { verificationId: id, code })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("with the token, alias and cost limits raised, the one-OTP-mutation rule alone still refuses them", async () => {
    const laxApp = await lax.createApp({ name: "Lax" });
    const to = "+14155550602";
    const { id, code } = await pending(lax, laxApp.key, to);
    const codes = Array.from({ length: 1000 }, (_, i) => String(i).padStart(6, "0"));
    codes[999] = code;
    const res = await post(lax, laxApp.key, { query: aliasedVerifies(codes), variables: { d: to } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(body.errors[0].message).toMatch(/At most one of requestOtp, verifyOtp, resendOtp, verifyTotp per operation; found 1000/);
    await expectUntouched(lax, laxApp.key, id);
  });

  it("OTP mutations hidden in fragments, nested fragments and inline fragments are counted", async () => {
    const to = "+14155550603";
    const { id } = await pending(gw, app.key, to);
    const documents = [
      `mutation($d:String!){ ...A } fragment A on Mutation { x: verifyOtp(input:{destination:$d,code:"000000"}) { status } ...B }
       fragment B on Mutation { ... on Mutation { y: verifyOtp(input:{destination:$d,code:"000001"}) { status } } }`,
      `mutation($d:String!){ verifyOtp(input:{destination:$d,code:"000000"}) { status } ... { requestOtp(input:{destination:$d,channel:SMS}) { id } } }`,
      `mutation($d:String!){ ...R } fragment R on Mutation { a: requestOtp(input:{destination:$d,channel:SMS}) { id } b: requestOtp(input:{destination:$d,channel:VOICE}) { id } }`,
    ];
    const sent = await count(gw, "deliveries WHERE app_id = $1", [app.id]);
    for (const query of documents) {
      const body = await (await post(gw, app.key, { query, variables: { d: to } })).json();
      expect(body.errors?.[0]?.extensions?.code, query).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(body.errors[0].message).toMatch(/found 2/);
    }
    await expectUntouched(gw, app.key, id);
    expect(await count(gw, "deliveries WHERE app_id = $1", [app.id])).toBe(sent);
  });

  it("one OTP mutation per operation is fine, even spread twice through one fragment (it runs once) or beside cancelOtp", async () => {
    const to = "+14155550604";
    const { id } = await pending(gw, app.key, to);
    const twice = `mutation($d:String!){ ...V ...V } fragment V on Mutation { verifyOtp(input:{destination:$d,code:"000000"}) { status attemptsRemaining } }`;
    const body = await (await post(gw, app.key, { query: twice, variables: { d: to } })).json();
    expect(body.errors).toBeUndefined();
    expect(await count(gw, "verify_attempts WHERE verification_id = $1", [id])).toBe(1);
    const beside = `mutation($id:ID!){ verifyOtp(input:{verificationId:$id,code:"000000"}) { status } cancelOtp(verificationId:$id) { status } }`;
    const b2 = await (await post(gw, app.key, { query: beside, variables: { id } })).json();
    expect(b2.errors).toBeUndefined();
    expect(b2.data.cancelOtp.status).toBe("CANCELED");
  });

  it("aliases are limited (cheap __typename ones too)", async () => {
    const fields = Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(" ");
    const body = await (await post(gw, app.key, { query: `{ ${fields} }` })).json();
    expect(body.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(body.errors[0].message).toMatch(/Aliases limit of 15 exceeded, found 16/);
    const ok = await (await post(gw, app.key, { query: `{ ${fields.split(" a15")[0]} }` })).json();
    expect(ok.errors).toBeUndefined();
  });

  it("a 10,000-alias document is refused: written out, by the token limit; through fragment fan-out, by the alias limit", async () => {
    const literal = `{${" a:b".repeat(10_000)} }`;
    expect(literal.length).toBeLessThan(BODY_CAP);
    const r1 = await post(gw, app.key, { query: literal });
    expect(r1.status).toBe(400);
    const b1 = await r1.json();
    expect(b1.errors).toHaveLength(1);
    expect(b1.errors[0]).toMatchObject({ extensions: { code: "GRAPHQL_PARSE_FAILED" } });
    expect(b1.errors[0].message).toMatch(/1000 tokens/);

    const fragment = `fragment F on Query { ${Array.from({ length: 100 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    const fanOut = `query { ${"...F ".repeat(100)}} ${fragment}`;
    const r2 = await post(gw, app.key, { query: fanOut });
    expect(r2.status).toBe(400);
    const b2 = await r2.json();
    expect(b2.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(b2.errors[0].message).toMatch(/Aliases limit of 15 exceeded, found 10000/);
  });

  it("depth is limited", async () => {
    const deep = `{ __type(name: "Query") { fields { type { fields { type { fields { type { name } } } } } } } }`;
    const body = await (await post(gw, app.key, { query: deep })).json();
    expect(body.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(body.errors[0].message).toMatch(/depth limit of 6 exceeded/);
  });

  it("each document limit follows its GRAPHQL_MAX_* setting", async () => {
    const t = await tight.createApp({ name: "Tight" });
    const expectRefused = async (query: string, message: RegExp) => {
      const body = await (await post(tight, t.key, { query, variables: { id: "00000000-0000-4000-8000-000000000000" } })).json();
      expect(body.errors?.[0]?.extensions?.code, query).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(body.errors[0].message).toMatch(message);
    };
    await expectRefused(`{ a: __typename b: __typename c: __typename }`, /Aliases limit of 2/);
    await expectRefused(`query($id: ID!) { verification(id: $id) { deliveries { id } } }`, /depth limit of 2/);
    const fields = "id channel status to purpose codeLength expiresAt attemptsRemaining"; // cost 14 each
    await expectRefused(`query($id: ID!) { verification(id: $id) { ${fields} } x: verification(id: $id) { ${fields} } }`, /Cost limit of 20 exceeded, found 28/);
    await expectRefused(`{ __typename @include(if: true) @skip(if: false) }`, /Directives limit of 1/i);
    const small = await (await post(tight, t.key, { query: `query($id: ID!) { verification(id: $id) { id } }`, variables: { id: "00000000-0000-4000-8000-000000000000" } })).json();
    expect(small.errors[0].extensions.code).toBe("NOT_FOUND"); // passed validation, reached the resolver
  });

  it("array batching is refused and runs nothing", async () => {
    const before = await count(gw, "verifications WHERE app_id = $1", [app.id]);
    const op = { query: REQUEST_OTP, variables: { input: { destination: "+14155550605", channel: "SMS" } } };
    const res = await post(gw, app.key, [op, op]);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/batching/i);
    expect(await count(gw, "verifications WHERE app_id = $1", [app.id])).toBe(before);
  });

  it("CSRF: simple cross-site requests and mutations over GET are refused and change nothing", async () => {
    const before = await count(gw, "verifications WHERE app_id = $1", [app.id]);
    const mutation = `mutation { requestOtp(input: { destination: "+14155550606", channel: SMS }) { id } }`;
    const auth = { authorization: `Bearer ${app.key}` };
    const text = await fetch(`${gw.url}/graphql`, { method: "POST", headers: { ...auth, "content-type": "text/plain" }, body: JSON.stringify({ query: mutation }) });
    // A content type a browser may send cross-site without a preflight is refused before execution,
    // as the contract's "errors beside GraphQL" says: 415 with a GraphQL-shaped BAD_USER_INPUT.
    expect(text.status).toBe(415);
    expect((await text.json()).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const form = await fetch(`${gw.url}/graphql`, { method: "POST", headers: { ...auth, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: mutation }).toString() });
    expect(form.status).toBe(415);
    const multipart = new FormData();
    multipart.set("query", mutation);
    const parts = await fetch(`${gw.url}/graphql`, { method: "POST", headers: auth, body: multipart });
    expect([400, 415]).toContain(parts.status);

    const getUrl = (q: string) => `${gw.url}/graphql?query=${encodeURIComponent(q)}`;
    const getMutation = await fetch(getUrl(mutation), { headers: { ...auth, "apollo-require-preflight": "true" } });
    expect(getMutation.status).toBe(405);
    expect(await count(gw, "verifications WHERE app_id = $1", [app.id])).toBe(before);

    expect((await fetch(getUrl("{ __typename }"), { headers: auth })).status).toBe(400); // a GET without a preflight header
    const query = await fetch(getUrl("{ __typename }"), { headers: { ...auth, "apollo-require-preflight": "true" } });
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("over WebSocket the same rules hold: two aliased verifyOtp are refused, nothing spent", async () => {
    const to = "+14155550607";
    const { id, code } = await pending(gw, app.key, to);
    const client = wsClient(gw.url, app.key);
    try {
      const sub = collect(client, `mutation($d:String!){ a: verifyOtp(input:{destination:$d,code:"000000"}){status} b: verifyOtp(input:{destination:$d,code:"${code}"}){status} }`, { d: to });
      await eventually(() => (sub.error ? true : undefined), "the refusal");
      const errors = Array.isArray(sub.error) ? sub.error : [sub.error];
      expect(errors[0].message).toMatch(/At most one of requestOtp, verifyOtp, resendOtp, verifyTotp/);
      await expectUntouched(gw, app.key, id);
    } finally {
      await client.dispose();
    }
  });
});
