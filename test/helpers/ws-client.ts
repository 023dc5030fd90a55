import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export const DELIVERY_STATUS = `subscription($id: ID!) { deliveryStatus(verificationId: $id) {
  verificationId delivery { id channel provider status errorCode errorMessage createdAt updatedAt } } }`;

/**
 * A real graphql-ws client, as a client app would open it (on Node, `ws` is the WebSocket).
 * `headers` go on the upgrade request (e.g. X-Forwarded-For from a proxy). No retries: a
 * refused connection must surface as its close code.
 */
export function wsClient(httpUrl: string, key: string | null, headers: Record<string, string> = {}): Client & { closeCodes: number[] } {
  const closeCodes: number[] = [];
  class HeaderSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const client = createClient({
    url: `${httpUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: HeaderSocket,
    connectionParams: key === null ? {} : { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    on: { closed: (e) => closeCodes.push((e as { code: number }).code) },
  });
  return Object.assign(client, { closeCodes });
}

export interface Collected<T = any> {
  /** Every `next` payload, in order (data or errors). */
  results: Array<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, any> }> }>;
  /** What ended the subscription with an error (a CloseEvent, or GraphQL errors), if anything. */
  error?: any;
  completed: boolean;
  unsubscribe(): void;
}

export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown>): Collected<T> {
  const c: Collected<T> = { results: [], completed: false, unsubscribe: () => undefined };
  c.unsubscribe = client.subscribe<T>({ query, variables }, {
    next: (r) => void c.results.push(r as Collected<T>["results"][number]),
    error: (e) => {
      c.error = e;
    },
    complete: () => {
      c.completed = true;
    },
  });
  return c;
}

/** The statuses a deliveryStatus subscriber has seen for one delivery, in order. */
export const statusesOf = (c: Collected, deliveryId?: string) =>
  c.results
    .map((r) => r.data?.deliveryStatus?.delivery)
    .filter((d) => d && (!deliveryId || d.id === deliveryId))
    .map((d) => d.status as string);
