// @redis/client, not the `redis` package: that one is this client plus the RedisBloom, RedisJSON,
// RediSearch and time-series command sets (some 150 modules more in each thread of a `serve`,
// whose source text stays in the heap), none of which the gateway uses.
import { createClient } from "@redis/client";
import type { Logger } from "pino";

/** The client as connectRedis makes it (no modules, RESP2): its type is what the gateway passes around. */
function newClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000), connectTimeout: 3000 },
  });
}

export type RedisClient = ReturnType<typeof newClient>;

/** Connects to Redis and keeps reconnecting with backoff; commands fail fast while it is down. */
export async function connectRedis(url: string, log: Logger): Promise<RedisClient> {
  const client = newClient(url);
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
