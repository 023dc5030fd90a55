/**
 * Subscription load: opens many graphql-ws subscriptions to deliveryStatus (over a few
 * connections, as a client app's backend multiplexes them), then drives events with
 * resendOtp on the watched verifications and counts what the subscribers receive.
 */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { serveParent } from "./ipc";
import { randomIp, randomUsNumber } from "./numbers";

const REQUEST_OTP = `mutation($i: RequestOtpInput!) { requestOtp(input: $i) { id } }`;
const RESEND_OTP = `mutation($id: ID!) { resendOtp(verificationId: $id) { id } }`;
const SUBSCRIBE = `subscription($id: ID!) { deliveryStatus(verificationId: $id) { verificationId delivery { id status provider updatedAt } } }`;

const OPEN_WINDOW = 200;

let clients: Client[] = [];
let disposers: Array<() => void> = [];
let verificationIds: string[] = [];
let events = 0;
let errors = 0;
let firstError: string | undefined;
const failed = (e: unknown) => {
  errors++;
  firstError ??= describe(e);
};
function describe(e: unknown): string {
  if (Array.isArray(e)) return JSON.stringify(e[0]);
  const close = e as { code?: number; reason?: string };
  if (close && typeof close.code === "number") return `socket closed ${close.code} ${close.reason ?? ""}`;
  return String((e as Error)?.message ?? e);
}

async function gql(url: string, key: string, query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: any[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors[0]));
  return body.data;
}

async function open(a: { gateway: string; apiKey: string; verifications: number; subscriptions: number; connections: number }) {
  const started = Date.now();
  verificationIds = [];
  for (let i = 0; i < a.verifications; i++) {
    const d = await gql(a.gateway, a.apiKey, REQUEST_OTP, { i: { destination: randomUsNumber(), channel: "SMS", clientIp: randomIp() } });
    verificationIds.push(d.requestOtp.id);
  }
  const wsUrl = a.gateway.replace(/^http/, "ws") + "/graphql";
  let snapshots = 0;
  const perConnection = Math.ceil(a.subscriptions / a.connections);
  let opened = 0;
  for (let c = 0; c < a.connections && opened < a.subscriptions; c++) {
    const client = createClient({
      url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${a.apiKey}` },
      onNonLazyError: failed,
    });
    clients.push(client);
    for (let s = 0; s < perConnection && opened < a.subscriptions; s++, opened++) {
      // A window of subscriptions being set up at once, as clients reconnecting over time would
      // (each costs two queries; 10,000 at once would only measure the database pool's queue).
      while (opened - snapshots >= OPEN_WINDOW && errors === 0) await new Promise((r) => setTimeout(r, 5));
      const id = verificationIds[opened % verificationIds.length];
      let first = true;
      disposers.push(
        client.subscribe({ query: SUBSCRIBE, variables: { id } }, {
          next: () => {
            events++;
            if (first) {
              first = false;
              snapshots++;
            }
          },
          error: failed,
          complete: () => undefined,
        }),
      );
    }
  }
  // Every subscription answers with the current state first: when all have, all are open.
  const deadline = Date.now() + 300_000;
  while (snapshots < opened && Date.now() < deadline && errors === 0) await new Promise((r) => setTimeout(r, 100));
  return { opened, withSnapshot: snapshots, errors, firstError, seconds: (Date.now() - started) / 1000 };
}

async function fanout(a: { gateway: string; apiKey: string; durationS: number; concurrency: number }) {
  events = 0;
  let resends = 0;
  let failed = 0;
  let next = 0;
  const started = Date.now();
  const until = started + a.durationS * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      const id = verificationIds[next++ % verificationIds.length];
      try {
        await gql(a.gateway, a.apiKey, RESEND_OTP, { id });
        resends++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: a.concurrency }, worker));
  const driveSeconds = (Date.now() - started) / 1000;
  // Let the last resends' events arrive (queued → sending → sent), then count.
  let last = -1;
  while (last !== events) {
    last = events;
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = (Date.now() - started) / 1000;
  return { resends, failedResends: failed, events, driveSeconds, seconds, eventsPerSecond: events / seconds, errors };
}

async function close() {
  for (const d of disposers) d();
  await Promise.all(clients.map((c) => c.dispose()));
  clients = [];
  disposers = [];
}

serveParent({ pid: process.pid }, { open, fanout, close }, close);
