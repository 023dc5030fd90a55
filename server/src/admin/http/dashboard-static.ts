import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import fastifyStatic from "@fastify/static";
import { isGraphqlPath, sendRefusal } from "../../http/http-errors";

/** The package root (the directory of otp-gateway's package.json), from source (tests) or from dist/. */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "otp-gateway") return dir;
    if (dirname(dir) === dir) throw new Error("otp-gateway's package.json not found above " + from);
  }
}

export const dashboardDist = () => join(packageRoot(), "admin", "dist");

/**
 * The dashboard's page rules: scripts and styles only from this origin (MUI injects style
 * tags, hence 'unsafe-inline' for styles only), no framing, no referrer leaking ids in URLs.
 */
function securityHeaders(reply: FastifyReply): void {
  reply.header("content-security-policy",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
  reply.header("x-frame-options", "DENY");
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "no-referrer");
}

/**
 * Serves the built react-admin app (admin/dist) at /admin, with index.html for any other
 * /admin/… path so that deep links work. Without a build, /admin says how to make one.
 */
export async function registerDashboard(fastify: FastifyInstance, dist = dashboardDist()): Promise<void> {
  const built = existsSync(join(dist, "index.html"));
  // The app's asset URLs and its router live under /admin/.
  fastify.get("/admin", async (_req, reply) => reply.redirect("/admin/"));
  await fastify.register(
    async (scope) => {
      scope.addHook("onSend", async (_req, reply) => securityHeaders(reply));
      if (!built) {
        scope.get("/*", async (req, reply) =>
          isGraphqlPath(req.url) ? sendRefusal(req, reply, 404, "NOT_FOUND", "Not found") : reply.code(503).type("text/html").send("<!doctype html><title>OTP Gateway</title><p>The dashboard has not been built. Run <code>npm run build:admin</code> and restart.</p>"),
        );
        return;
      }
      await scope.register(fastifyStatic, {
        root: dist,
        prefix: "/",
        index: "index.html",
        wildcard: true,
        setHeaders: (reply, path) => {
          // Hashed asset names change with their content; index.html must always be fresh.
          reply.header("cache-control", path.startsWith(join(dist, "assets")) ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
      scope.setNotFoundHandler(async (req, reply) => {
        if (req.method !== "GET" || !String(req.headers.accept ?? "").includes("text/html") || isGraphqlPath(req.url)) {
          return sendRefusal(req, reply, 404, "NOT_FOUND", "Not found");
        }
        reply.header("cache-control", "no-cache");
        return reply.sendFile("index.html", dist);
      });
    },
    { prefix: "/admin" },
  );
}
