import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { runCli } from "../helpers/cli";
import { eventually } from "../helpers/codes";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { ended, serveProcess, type ServeProcess } from "../helpers/processes";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { WebhookReceiver } from "../helpers/webhook-receiver";
import { randomUsNumber } from "../bench/numbers";

/**
 * The operator's path (the built CLI, `serve` as a child process) and the crash: a gateway is
 * SIGKILLed while its events wait for a receiver that is down; after a restart they all arrive,
 * each verification's in order, with the webhook-ids they had before the crash.
 */
describe("webhooks: CLI, and a SIGKILL with events pending", () => {
  let db: { url: string; drop(): Promise<void> };
  let receiver: WebhookReceiver;
  let env: Record<string, string>;
  let appId: string;
  let key: string;
  const procs: ServeProcess[] = [];

  beforeAll(async () => {
    [db, receiver] = await Promise.all([createTestDatabase(), WebhookReceiver.start()]);
    env = {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:`,
      OTP_SECRET: "test-secret-test-secret-test-secret-0123456789",
      WEBHOOK_RETRY_BASE_MS: "100", WEBHOOK_RETRY_MAX_MS: "300", WEBHOOK_POLL_MS: "100", WEBHOOK_LEASE_SECONDS: "3", WEBHOOK_TIMEOUT_MS: "1000",
      // A delivery the killed process had claimed returns after its lease, and only then emits its events.
      WORKER_LEASE_SECONDS: "5", PROVIDER_TIMEOUT_MS: "4000",
      // The outbox's played receipts (made by the restarted process's sweep) would add events while the order is checked.
      OUTBOX_DELIVERY_DELAY_MS: "off",
    };
    expect(runCli(["migrate"], env).status).toBe(0);
    const created = runCli(["app", "create", "--name", "Crash", "--json"], env);
    expect(created.status).toBe(0);
    ({ id: appId, apiKey: key } = JSON.parse(created.stdout));
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await receiver?.stop();
    await db?.drop();
  }, 60_000);

  it("app webhook add|list|remove: the secret once, bad input refused and nothing stored", async () => {
    const bad = runCli(["app", "webhook", "add", "--id", appId, "--url", "ftp://example.com/x"], env);
    expect(bad.status).toBe(2); // bad values exit 2 (docs/cli.md)
    expect(bad.stderr).toMatch(/http/);
    const badEvents = runCli(["app", "webhook", "add", "--id", appId, "--url", receiver.url, "--events", "verification.approved,nope"], env);
    expect(badEvents.status).toBe(2);
    expect(badEvents.stderr).toMatch(/Unknown event type\(s\): nope/);
    const unknownApp = runCli(["app", "webhook", "add", "--id", "00000000-0000-4000-8000-000000000000", "--url", receiver.url], env);
    expect(unknownApp.status).toBe(1);

    const spare = runCli(["app", "webhook", "add", "--id", appId, "--url", "https://hooks.example.com/otp", "--events", "verification.approved,delivery.updated"], env);
    expect(spare.status).toBe(0);
    const [, spareId] = /Webhook id:\s+(\S+)/.exec(spare.stdout)!;
    expect(spare.stdout).toMatch(/Signing secret: whsec_\S+\n\(the secret is shown once/);
    const listed = runCli(["app", "webhook", "list", "--id", appId], env);
    expect(listed.stdout).toContain(`${spareId}  ACTIVE  https://hooks.example.com/otp  events: verification.approved,delivery.updated`);
    expect(listed.stdout).not.toContain("whsec_");
    expect(runCli(["app", "webhook", "remove", "--id", appId, "--webhook", spareId], env).status).toBe(0);

    const added = runCli(["app", "webhook", "add", "--id", appId, "--url", receiver.url, "--json"], env);
    expect(added.status).toBe(0);
    receiver.secret = JSON.parse(added.stdout).secret;
    expect(JSON.parse(runCli(["app", "webhook", "list", "--id", appId, "--json"], env).stdout)).toEqual([
      expect.objectContaining({ url: receiver.url, events: null, status: "ACTIVE" }),
    ]); // the refused ones and the removed one left nothing behind
  }, 180_000);

  it("events pending for a receiver that is down survive a SIGKILL and arrive, in order, after the restart", async () => {
    receiver.respond = () => 503;
    const doomed = await serveProcess("all", env);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await gql(doomed.url, key, REQUEST_OTP, { input: { destination: randomUsNumber(), channel: "SMS" } });
      expect(r.errors).toBeUndefined();
      ids.push(r.data.requestOtp.id);
    }
    await eventually(() => (new Set(receiver.received.map((r) => r.json?.data?.id)).size >= 4 ? true : undefined), "the receiver to refuse each verification's first event", 15_000);
    await ended(doomed.child, () => doomed.child.kill("SIGKILL"));
    expect(doomed.child.signalCode).toBe("SIGKILL");
    const refusedIds = new Set(receiver.received.map((r) => r.id));
    expect(receiver.accepted()).toHaveLength(0);

    receiver.respond = () => 200;
    let last: any[] = [];
    procs.push(await serveProcess("all", env));
    const expected = await eventually(async () => {
      const rows = await query(
        `SELECT e.id, e.verification_id, m.status FROM webhook_messages m JOIN webhook_events e ON e.id = m.event_id ORDER BY m.id`);
      last = rows;
      // Every stored message delivered and the receiver holding as many distinct ones: a verification's
      // later event (stored after this query) otherwise shows at the receiver and not in the snapshot.
      const acceptedIds = new Set(receiver.accepted().map((r) => r.id));
      return rows.length >= 4 * 4 && rows.every((r) => r.status === "DELIVERED") && acceptedIds.size === new Set(rows.map((r) => r.id)).size ? rows : undefined;
    }, "every event delivered after the restart", 45_000).catch((err) => {
      throw new Error(`${err.message}: ${JSON.stringify(last.map((r) => r.status))}`);
    });
    for (const v of ids) {
      const inDb = expected.filter((r) => r.verification_id === v).map((r) => r.id);
      const got = receiver.accepted().filter((r) => r.json.data.id === v || r.json.data.verificationId === v).map((r) => r.id);
      expect([...new Set(got)], v).toEqual(inDb); // every one, in order (a resent duplicate keeps its place)
      expect(inDb[0]).toSatisfy((id: string) => refusedIds.has(id)); // the same webhook-id as before the crash
      expect(receiver.accepted().every((r) => r.verified)).toBe(true);
    }
  }, 120_000);

  async function query(sql: string, params: unknown[] = []): Promise<any[]> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  }
});
