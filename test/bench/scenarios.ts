/**
 * What each benchmark scenario sends, and how its answers are judged. A scenario is a list of
 * autocannon requests (built per request, so every destination and IP is fresh) plus a
 * judge that counts an answer as ok or as an error with its code.
 */
import { randomIp, randomUsNumber } from "./numbers";
import type { CodePool, PeerCodePool } from "./code-pool";

export interface Tally { ok: number; errors: Record<string, number>; exhausted: boolean }

export interface Scenario {
  url: string;
  requests: Array<Record<string, unknown>>;
}

export interface Targets { gateway: string; apiKey: string; floor?: string; peer?: string }

const REQUEST_OTP = `mutation($i: RequestOtpInput!) { requestOtp(input: $i) { id status to expiresAt } }`;
const VERIFY_OTP = `mutation($i: VerifyOtpInput!) { verifyOtp(input: $i) { status token } }`;
const TYPENAME = JSON.stringify({ query: "{ __typename }" });

function gqlJudge(tally: Tally, onOk?: (body: string, context: Record<string, any>) => void) {
  return (status: number, body: string, context: Record<string, any>) => {
    if (status !== 200 || body.includes(`"errors"`)) {
      let code = `HTTP_${status}`;
      try {
        code = JSON.parse(body).errors?.[0]?.extensions?.code ?? code;
      } catch {
        /* not JSON */
      }
      tally.errors[code] = (tally.errors[code] ?? 0) + 1;
      return;
    }
    tally.ok++;
    onOk?.(body, context);
  };
}

function httpJudge(tally: Tally) {
  return (status: number, body: string) => {
    if (status >= 200 && status < 300) tally.ok++;
    else {
      let code = `HTTP_${status}`;
      try {
        code = `${code} ${JSON.parse(body).code ?? ""}`.trim();
      } catch {
        /* not JSON */
      }
      tally.errors[code] = (tally.errors[code] ?? 0) + 1;
    }
  };
}

export function buildScenario(name: string, t: Targets, pool: CodePool, peerPool: PeerCodePool, tally: Tally, stop: () => void): Scenario {
  const headers = { "content-type": "application/json", authorization: `Bearer ${t.apiKey}` };
  const requestOtp = {
    method: "POST", path: "/graphql", headers,
    // autocannon's context is per connection, and a connection has one request in flight.
    setupRequest: (req: any, context: Record<string, any>) => {
      const destination = randomUsNumber();
      context.destination = destination;
      req.body = JSON.stringify({ query: REQUEST_OTP, variables: { i: { destination, channel: "SMS", clientIp: randomIp() } } });
      return req;
    },
    onResponse: gqlJudge(tally, (body, context) => pool.requested(context.destination, JSON.parse(body).data.requestOtp.id)),
  };
  const verifyOtp = {
    method: "POST", path: "/graphql", headers,
    setupRequest: (req: any) => {
      const next = pool.take();
      if (!next) {
        // Out of delivered codes: end the run rather than send verifications that can't succeed.
        tally.exhausted = true;
        stop();
        req.body = TYPENAME;
        return req;
      }
      req.body = JSON.stringify({ query: VERIFY_OTP, variables: { i: { verificationId: next.id, code: next.code } } });
      return req;
    },
    onResponse: gqlJudge(tally, (body) => {
      if (!body.includes(`"APPROVED"`) && !body.includes(`"__typename"`)) tally.errors.NOT_APPROVED = (tally.errors.NOT_APPROVED ?? 0) + 1;
    }),
  };
  switch (name) {
    case "typename":
      return { url: t.gateway, requests: [{ method: "POST", path: "/graphql", headers, body: TYPENAME, onResponse: gqlJudge(tally) }] };
    case "requestOtp":
      return { url: t.gateway, requests: [requestOtp] };
    case "verifyOtp":
      return { url: t.gateway, requests: [verifyOtp] };
    case "loop":
      return { url: t.gateway, requests: [requestOtp, verifyOtp] };
    case "floor":
      return {
        url: t.floor!,
        requests: [{
          method: "POST", path: "/graphql", headers: { "content-type": "application/json" },
          setupRequest: (req: any) => {
            req.body = JSON.stringify({ query: `mutation($d: String!) { floor(destination: $d) }`, variables: { d: randomUsNumber() } });
            return req;
          },
          onResponse: gqlJudge(tally),
        }],
      };
    case "peerSend":
      return {
        url: t.peer!,
        requests: [{
          method: "POST", path: "/api/auth/phone-number/send-otp",
          setupRequest: (req: any) => {
            req.headers = { "content-type": "application/json", "x-forwarded-for": randomIp() };
            req.body = JSON.stringify({ phoneNumber: randomUsNumber() });
            return req;
          },
          onResponse: httpJudge(tally),
        }],
      };
    case "peerVerify":
      return {
        url: t.peer!,
        requests: [{
          method: "POST", path: "/api/auth/phone-number/verify",
          setupRequest: (req: any) => {
            const next = peerPool.take();
            req.headers = { "content-type": "application/json", "x-forwarded-for": randomIp() };
            if (!next) {
              tally.exhausted = true;
              stop();
              req.path = "/api/auth/ok";
              req.method = "GET";
              delete req.body;
              return req;
            }
            req.body = JSON.stringify({ phoneNumber: next[0], code: next[1] });
            return req;
          },
          onResponse: httpJudge(tally),
        }],
      };
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}
