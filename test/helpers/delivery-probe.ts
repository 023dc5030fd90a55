import { expect } from "vitest";
import { eventually } from "./codes";
import type { TestGateway } from "./gateway";
import { GET_VERIFICATION, REQUEST_OTP, gql } from "./graphql-client";

export interface AttemptRow { provider: string; outcome: string; error_code: string | null; provider_message_id: string | null }

/**
 * What the vendor suites ask of one gateway as one client app: send, look at the first
 * delivery, wait for a status, list attempts. `target` is read at each call (the suite's
 * gateway starts in beforeAll).
 */
export function deliveryProbe(target: () => { gw: TestGateway; key: string }) {
  const request = async (destination: string, channel = "SMS", locale?: string) => {
    const { gw, key } = target();
    const r = await gql(gw.url, key, REQUEST_OTP, { input: { destination, channel, ...(locale && { locale }) } });
    expect(r.errors).toBeUndefined();
    return r.data.requestOtp.id as string;
  };
  const delivery = async (id: string) => {
    const { gw, key } = target();
    return (await gql(gw.url, key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
  };
  const reaches = (id: string, statuses: string[]) =>
    eventually(async () => {
      const d = await delivery(id);
      return statuses.includes(d.status) ? d : undefined;
    }, `verification ${id} to reach ${statuses.join("/")}`);
  const attempts = (id: string): Promise<AttemptRow[]> =>
    target().gw.app.db.ds.query(
      `SELECT a.provider, a.outcome, a.error_code, a.provider_message_id FROM delivery_attempts a
         JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id`, [id]);
  return { request, delivery, reaches, attempts };
}
