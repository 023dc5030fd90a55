import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { DELIVERY_STATUS, collect, wsClient } from "../helpers/ws-client";
import { MAX_OPERATIONS_PER_CONNECTION } from "../../server/src/http/subscriptions";

/** One connection may follow MAX_OPERATIONS_PER_CONNECTION verifications; the next is RATE_LIMITED with retryAfter. */
describe("subscriptions per connection", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    gw = await startGateway();
    app = await gw.createApp({ name: "Many", maxSends: 10 });
  });
  afterAll(() => gw?.stop());

  it(`allows exactly ${MAX_OPERATIONS_PER_CONNECTION} operations, then refuses with the contract's RATE_LIMITED`, async () => {
    const id = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550901", channel: "SMS" } })).data.requestOtp.id;
    const client = wsClient(gw.url, app.key);
    try {
      const open = Array.from({ length: MAX_OPERATIONS_PER_CONNECTION }, () => collect(client, DELIVERY_STATUS, { id }));
      await eventually(() => (open.every((c) => c.results.length > 0) ? true : undefined), "every subscription's first event", 10_000);
      expect(open.filter((c) => c.error)).toHaveLength(0);
      const extra = collect(client, DELIVERY_STATUS, { id });
      const errors = await eventually(() => extra.error as Array<{ extensions?: Record<string, unknown> }> | undefined, "the refusal");
      expect(errors[0].extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: 1 });
      expect(gw.logs.text).not.toContain("internal error");
    } finally {
      await client.dispose();
    }
  });
});
