import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import fastifyCookie from "@fastify/cookie";
import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { Config } from "../config/config";
import type { SecretKeys } from "../crypto/secret-keys";
import type { Services } from "../services";
import { createAdminServices, type AdminServices } from "./admin-services";
import { registerAdminGraphql } from "./http/admin-graphql-route";
import { attachAdminSubscriptions } from "./http/admin-subscriptions";
import { registerDashboard } from "./http/dashboard-static";
import { buildAdminSchema } from "./schema";

export interface AdminDeps {
  config: Config;
  ds: DataSource;
  services: Services;
  keys: SecretKeys;
  log: Logger;
  /** The client's IP on a WebSocket upgrade, with TRUST_PROXY applied as for HTTP. */
  clientIp?: (req: IncomingMessage) => string | null;
}

/**
 * The support dashboard on the gateway's HTTP server: the admin API at /admin/graphql (its own
 * schema, session-cookie auth, live delivery log over graphql-ws) and the built react-admin app
 * at /admin. Call before the server listens; `close` before the server closes.
 */
export async function registerAdmin(fastify: FastifyInstance, deps: AdminDeps): Promise<{ admin: AdminServices; close(): Promise<void> }> {
  const log = deps.log.child({ component: "admin" });
  if (!fastify.hasRequestDecorator("cookies")) await fastify.register(fastifyCookie);
  const admin = createAdminServices(deps.ds, deps.config, deps.services, deps.keys);
  const schema = await buildAdminSchema();
  const apollo = await registerAdminGraphql(fastify, schema, admin, log);
  await registerDashboard(fastify);
  const subscriptions = attachAdminSubscriptions(fastify.server, schema, admin, log, deps.clientIp ?? ((req) => req.socket?.remoteAddress ?? null));
  return {
    admin,
    async close() {
      await subscriptions.close();
      await apollo.stop();
    },
  };
}
