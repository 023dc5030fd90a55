import { randomBytes, randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { open, seal } from "../crypto/aead";
import { badInput, notFound } from "../errors";
import { isUuid } from "../verification/input-rules";
import { PAUSE_RULE } from "./endpoint-pause";
import { parseEventTypes } from "./event-types";
import { checkWebhookUrl, type TargetPolicy } from "./target-policy";

/** An endpoint as operators see it: never its secret. */
export interface WebhookEndpoint {
  id: string;
  appId: string;
  url: string;
  /** null: every event type. */
  events: string[] | null;
  status: "ACTIVE" | "PAUSED";
  consecutiveFailures: number;
  failingSince: Date | null;
  pausedAt: Date | null;
  pauseReason: string | null;
  createdAt: Date;
}

export const MAX_ENDPOINTS_PER_APP = 10;

export const toEndpoint = (r: Record<string, any>): WebhookEndpoint => ({
  id: r.id, appId: r.app_id, url: r.url, events: r.events ?? null, status: r.status, consecutiveFailures: r.consecutive_failures,
  failingSince: r.failing_since ?? null, pausedAt: r.paused_at ?? null, pauseReason: r.pause_reason ?? null, createdAt: r.created_at,
});

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const generateSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

/**
 * An app's webhook endpoints (CLI and dashboard). The signing secret is generated here,
 * returned once by `add`, and stored sealed with AES-GCM (the endpoint id as associated data,
 * so a ciphertext copied onto another endpoint does not open).
 */
export class WebhookEndpointStore {
  constructor(private readonly ds: DataSource, private readonly secretKey: Buffer, private readonly policy: TargetPolicy) {}

  async add(appId: string, rawUrl: string, rawEvents?: string | string[] | null): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = checkWebhookUrl(rawUrl, this.policy);
    const events = parseEventTypes(rawEvents);
    if (!isUuid(appId)) throw notFound("App not found");
    const id = randomUUID();
    const secret = generateSecret();
    const rows = await this.ds.query(
      `INSERT INTO webhook_endpoints (id, app_id, url, events, secret_cipher)
       SELECT $1, a.id, $3, $4, $5 FROM apps a
        WHERE a.id = $2 AND (SELECT count(*) FROM webhook_endpoints WHERE app_id = $2) < ${MAX_ENDPOINTS_PER_APP}
       RETURNING *`,
      [id, appId, url, events, seal(this.secretKey, Buffer.from(secret), id)],
    );
    if (!rows.length) {
      const [app] = await this.ds.query(`SELECT id FROM apps WHERE id = $1`, [appId]);
      if (!app) throw notFound("App not found");
      throw badInput("url", `An app has at most ${MAX_ENDPOINTS_PER_APP} webhook endpoints`);
    }
    return { endpoint: toEndpoint(rows[0]), secret };
  }

  async list(appId: string): Promise<WebhookEndpoint[]> {
    if (!isUuid(appId)) return [];
    const rows = await this.ds.query(`SELECT * FROM webhook_endpoints WHERE app_id = $1 ORDER BY created_at, id`, [appId]);
    return rows.map(toEndpoint);
  }

  async get(appId: string, id: string): Promise<WebhookEndpoint> {
    if (!isUuid(appId) || !isUuid(id)) throw notFound("Webhook endpoint not found");
    const [row] = await this.ds.query(`SELECT * FROM webhook_endpoints WHERE id = $1 AND app_id = $2`, [id, appId]);
    if (!row) throw notFound("Webhook endpoint not found");
    return toEndpoint(row);
  }

  /** Removes the endpoint with its pending messages and their attempts. */
  async remove(appId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.get(appId, id);
    await this.ds.query(`DELETE FROM webhook_endpoints WHERE id = $1 AND app_id = $2`, [id, appId]);
    return endpoint;
  }

  /** Resumes a paused endpoint: its waiting messages are due at once, with a fresh retry window. */
  async resume(appId: string, id: string, by = "cli"): Promise<WebhookEndpoint> {
    await this.get(appId, id);
    const [row] = await this.ds.query(
      `WITH e AS (
         UPDATE webhook_endpoints SET status = 'ACTIVE', paused_at = NULL, pause_reason = NULL, consecutive_failures = 0,
                failing_since = NULL, updated_at = now()
          WHERE id = $1 AND app_id = $2 RETURNING *
       ),
       m AS (
         UPDATE webhook_messages SET next_attempt_at = now(), window_start = now(), updated_at = now()
          WHERE endpoint_id IN (SELECT id FROM e) AND status = 'PENDING'
       ),
       b AS (
         UPDATE rate_limit_blocks SET lifted_at = now(), lifted_by = $3, lift_reason = 'webhook endpoint resumed'
          WHERE rule = '${PAUSE_RULE}' AND app_id = $2 AND details->>'endpointId' = $1::text AND lifted_at IS NULL
       ),
       n AS (SELECT pg_notify('otpg_webhook', ''))
       SELECT e.*, (SELECT count(*) FROM n) AS notified FROM e`,
      [id, appId, by],
    );
    return toEndpoint(row);
  }

  openSecret(endpointId: string, cipher: Buffer): string {
    return open(this.secretKey, cipher, endpointId).toString();
  }
}
