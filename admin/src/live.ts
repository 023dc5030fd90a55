import { createClient, type Client } from "graphql-ws";

let client: Client | null = null;

/**
 * The admin API's graphql-ws connection (same origin, /admin/graphql). The browser sends the
 * HttpOnly session cookie on the upgrade; the server checks it there and for every operation.
 */
export function liveClient(): Client {
  if (!client) {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/admin/graphql`;
    client = createClient({ url, lazy: true, retryAttempts: 5 });
  }
  return client;
}

export interface DeliveryLogEvent { verificationId: string; deliveryId: string; provider: string; channel: string; status: string; errorCode: string | null; at: string }

export function subscribeDeliveryLog(onEvent: (e: DeliveryLogEvent) => void, onError: (e: unknown) => void): () => void {
  return liveClient().subscribe<{ deliveryLog: DeliveryLogEvent }>(
    { query: `subscription { deliveryLog { verificationId deliveryId provider channel status errorCode at } }` },
    { next: (r) => r.data && onEvent(r.data.deliveryLog), error: onError, complete: () => undefined },
  );
}
