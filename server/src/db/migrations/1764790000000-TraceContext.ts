import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The W3C traceparent of the request that queued a delivery, so the worker's send and the
 * vendor's status callback continue the request's trace (observability/trace-context.ts).
 * Null when tracing is off. Adding a nullable column without a default rewrites nothing.
 */
export class TraceContext1764790000000 implements MigrationInterface {
  name = "TraceContext1764790000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN traceparent text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries DROP COLUMN traceparent`);
  }
}
