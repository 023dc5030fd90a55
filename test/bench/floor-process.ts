/**
 * The floor for requestOtp: the same HTTP and GraphQL stack as the gateway (fastify + Apollo
 * Server 5), with one mutation that does the two round trips every send needs at minimum —
 * one Redis EVAL (a counter with expiry, as a rate limit is) and one Postgres INSERT — and
 * nothing else: no auth, no validation, no outbox, no worker.
 */
import { randomUUID } from "node:crypto";
import Fastify from "fastify";
import { ApolloServer } from "@apollo/server";
import fastifyApollo from "@as-integrations/fastify";
import { Pool } from "pg";
import { createClient } from "redis";
import { serveParent } from "./ipc";

const COUNT_SCRIPT = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n`;

async function main() {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_rows (id uuid PRIMARY KEY, destination text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  const prefix = process.env.REDIS_PREFIX ?? "floor:";
  const apollo = new ApolloServer({
    typeDefs: `type Query { ok: Boolean } type Mutation { floor(destination: String!): ID! }`,
    resolvers: {
      Mutation: {
        floor: async (_: unknown, { destination }: { destination: string }) => {
          await redis.eval(COUNT_SCRIPT, { keys: [`${prefix}${destination}`], arguments: ["600"] });
          const id = randomUUID();
          await pool.query(`INSERT INTO floor_rows (id, destination) VALUES ($1, $2)`, [id, destination]);
          return id;
        },
      },
    },
  });
  await apollo.start();
  const fastify = Fastify({ logger: false });
  await fastify.register(fastifyApollo(apollo), { path: "/graphql" });
  await fastify.listen({ port: 0, host: "127.0.0.1" });
  const { port } = fastify.server.address() as { port: number };
  serveParent({ url: `http://127.0.0.1:${port}`, pid: process.pid }, {}, async () => {
    await fastify.close();
    await apollo.stop();
    await redis.quit();
    await pool.end();
  });
}

main().catch((err) => {
  process.stderr.write(`floor server failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
