import { createClient } from "redis";
import type { Logger } from "pino";

export type RedisClient = ReturnType<typeof createClient>;

/** Connects to Redis and keeps reconnecting with backoff; commands fail fast while it is down. */
export async function connectRedis(url: string, log: Logger): Promise<RedisClient> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000), connectTimeout: 3000 },
  });
  let down = false;
  client.on("error", (err) => {
    if (!down) log.error({ err: err.message }, "redis connection error");
    down = true;
  });
  client.on("ready", () => {
    if (down) log.info("redis connection restored");
    down = false;
  });
  await client.connect();
  return client;
}
