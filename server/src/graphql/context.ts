import type { AppEntity } from "../apps/app.entity";
import type { Services } from "../services";

/** What every client-API resolver receives: the authenticated app, the caller's IP, the services. */
export interface GqlContext {
  app: AppEntity;
  /** The socket address, or X-Forwarded-For through TRUST_PROXY; the `clientIp` input takes precedence. */
  socketIp: string | null;
  requestId: string;
  services: Services;
  /** performance.now() when the request arrived, so operation latency includes authentication. */
  receivedAt?: number;
}
