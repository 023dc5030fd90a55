import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { Webhook } from "standardwebhooks";
import { GatewayClient, GatewayRequestError } from "./gateway-client";
import { isSignInOption, planFor } from "./sign-in-options";
import { StepUps, type FindAccount } from "./step-up";

/**
 * The reference sign-in's backend: what a client app's own server does with the gateway.
 * - holds the API key and calls requestOtp / resendOtp / verifyOtp on the browser's behalf,
 *   passing the browser's IP as clientIp (the gateway's per-IP limits key on it);
 * - relays the deliveryStatus subscription to the browser as Server-Sent Events;
 * - receives the gateway's signed events (webhooks) and verifies their signatures;
 * - keeps the token (the proof of sign-in) on the server: the browser only learns "signed in";
 * - checks the token's signature and its `sim_swap` claim, and steps up to e-mail or an
 *   authenticator when the number's SIM card was swapped (step-up.ts).
 */
export interface ExampleOptions {
  gatewayUrl: string;
  apiKey: string;
  /** The `whsec_…` secret `otp-gateway app webhook add` printed; webhooks are refused without it. */
  webhookSecret?: string;
  port?: number;
  host?: string;
  /** The app's id (the token's `aud`): the backend refuses tokens minted for another app. */
  appId?: string;
  /** Where else the app can reach the owner of a phone number, for the SIM-swap step-up. Default: nowhere (the page says to contact support). */
  findAccount?: FindAccount;
  /** "WhatsApp first, then SMS": seconds before the text message, 15 to 600 (default 60). */
  smsAfterSeconds?: number;
}

export interface RunningExample {
  url: string;
  server: Server;
  /** Verified events received on /webhooks/otp, newest last. */
  events: Array<{ type: string; id: string; data: Record<string, unknown> }>;
  stop(): Promise<void>;
}

// Beside this file when run from source, or from dist/examples/web-signin after `tsc`.
const PUBLIC = [join(__dirname, "public"), resolve(__dirname, "../../../examples/web-signin/public")].find((p) => existsSync(p))!;
// libphonenumber-js's browser bundle (the "max" metadata, as the gateway uses: +44 7911… is GB, not GG), served from the package the backend already depends on.
const PHONE_BUNDLE = join(dirname(require.resolve("libphonenumber-js/package.json")), "bundle/libphonenumber-max.js");
const STATIC: Record<string, string> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/phone-field.js": "phone-field.js",
  "/vendor/libphonenumber.js": PHONE_BUNDLE,
  "/otp-input.js": "otp-input.js",
  "/code-rules.js": "code-rules.js",
  "/steps.js": "steps.js",
  "/step-up.js": "step-up.js",
  "/style.css": "style.css",
};
const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", date: new Date().toUTCString() });
  // serverTime lets the page count down to resendAvailableAt by the server's clock, not the device's.
  res.end(JSON.stringify({ ...(body as object), serverTime: new Date().toISOString() }));
}

async function readBody(req: IncomingMessage, limit = 16 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The gateway refused a phone code because the number's SIM card changed recently (the app's simSwap action "refuse"). */
const isSimSwapRefusal = (err: unknown) => err instanceof GatewayRequestError && err.error.code === "FORBIDDEN" && err.error.reason === "SIM_SWAP";

export async function startExample(opts: ExampleOptions): Promise<RunningExample> {
  const gateway = new GatewayClient(opts.gatewayUrl, opts.apiKey);
  const webhook = opts.webhookSecret ? new Webhook(opts.webhookSecret) : undefined;
  const events: RunningExample["events"] = [];
  const stepUps = new StepUps(gateway, opts.gatewayUrl, opts.findAccount ?? (() => undefined), opts.appId);

  const api = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const clientIp = req.socket.remoteAddress?.replace(/^::ffff:/, "");
    let input: Record<string, string>;
    try {
      input = JSON.parse(await readBody(req)) as Record<string, string>;
    } catch {
      return send(res, 400, { error: { code: "BAD_USER_INPUT", message: "send JSON" } });
    }
    try {
      if (path === "/api/request") {
        if (!isSignInOption(input.option)) return send(res, 400, { error: { code: "BAD_USER_INPUT", field: "option", message: "choose how to send the code" } });
        try {
          const verification = (await gateway.requestOtp({ ...planFor(input.option, input.destination, opts.smsAfterSeconds), clientIp })) as { id: string };
          stepUps.remember(verification.id, input.destination);
          return send(res, 200, { verification });
        } catch (err) {
          // The app refuses codes to swapped SIMs (simSwap action "refuse"): nothing was sent; step up instead.
          if (isSimSwapRefusal(err)) return send(res, 200, { stepUp: await stepUps.start(input.destination) });
          throw err;
        }
      }
      if (path === "/api/resend") {
        try {
          return send(res, 200, { verification: await gateway.resendOtp(input.verificationId, input.channel || undefined) });
        } catch (err) {
          // Each resend is checked afresh: the SIM was swapped since the first code. The same step-up, for the number it went to.
          const phone = stepUps.phoneOf(input.verificationId);
          if (isSimSwapRefusal(err) && phone) return send(res, 200, { stepUp: await stepUps.start(phone) });
          throw err;
        }
      }
      if (path === "/api/verification") return send(res, 200, { verification: await gateway.verification(input.verificationId) });
      if (path === "/api/verify") {
        const r = await gateway.verifyOtp(input.verificationId, input.code);
        if (r.status !== "APPROVED" || !r.token) return send(res, 200, { status: r.status, attemptsRemaining: r.attemptsRemaining, signedIn: false });
        // A real app would now start its own session with the token's claims; the token stays here.
        const claims = await stepUps.claims(r.token);
        // The code was right, but the SIM card behind the number changed recently (simSwap action "flag"):
        // the code may have reached someone else. Ask for a factor a SIM swap doesn't carry over.
        if (claims.sim_swap === "swapped") return send(res, 200, { status: r.status, signedIn: false, stepUp: await stepUps.start(String(claims.phone_number)) });
        return send(res, 200, { status: r.status, attemptsRemaining: r.attemptsRemaining, signedIn: true });
      }
      if (path === "/api/step-up/email") {
        const v = await stepUps.sendEmail(input.stepUpId, clientIp);
        return v ? send(res, 200, { verification: v }) : send(res, 404, { error: { code: "NOT_FOUND", message: "start again" } });
      }
      if (path === "/api/step-up/verify") {
        const r = await stepUps.verify(input.stepUpId, input.method, input.code, clientIp);
        return r ? send(res, 200, r) : send(res, 404, { error: { code: "NOT_FOUND", message: "start again" } });
      }
      return send(res, 404, { error: { code: "NOT_FOUND", message: "no such route" } });
    } catch (err) {
      if (err instanceof GatewayRequestError) return send(res, err.error.code === "RATE_LIMITED" ? 429 : 400, { error: err.error });
      return send(res, 502, { error: { code: "GATEWAY_UNREACHABLE", message: "the OTP gateway did not answer" } });
    }
  };

  /**
   * Server-Sent Events: one `delivery` event per status the gateway pushes, then the
   * verification's `steps` as they stand after it (a new step's first delivery is how the page
   * learns the workflow moved on).
   */
  const statusStream = (req: IncomingMessage, res: ServerResponse, verificationId: string) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": connected\n\n");
    let open = true;
    const stop = gateway.subscribeDeliveryStatus(
      verificationId,
      (event) => {
        res.write(`event: delivery\ndata: ${JSON.stringify(event)}\n\n`);
        const writeSteps = (status: unknown, steps: unknown) => {
          if (open && steps) res.write(`event: steps\ndata: ${JSON.stringify({ status, steps, serverTime: new Date().toISOString() })}\n\n`);
        };
        const carried = (event as { steps?: unknown } | null)?.steps;
        if (carried) return writeSteps(undefined, carried);
        // A hand-off sets when the next step starts without being an event of the workflow's own: read it.
        gateway.verification(verificationId).then(
          (v) => writeSteps((v as { status?: string } | null)?.status, (v as { steps?: unknown } | null)?.steps),
          () => undefined, // the next event, or the page's own refresh, brings the steps
        );
      },
      (error) => {
        open = false;
        res.write(`event: end\ndata: ${JSON.stringify({ error: error ? "subscription ended" : null })}\n\n`);
        res.end();
      },
    );
    req.on("close", () => {
      open = false;
      stop();
    });
  };

  const receiveWebhook = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req, 256 * 1024);
    if (!webhook) return send(res, 503, { error: { code: "NOT_CONFIGURED", message: "no webhook secret set" } });
    try {
      // Throws on a missing, wrong or older-than-5-minutes signature.
      const event = webhook.verify(body, req.headers as Record<string, string>) as RunningExample["events"][number];
      events.push(event);
      if (events.length > 200) events.shift();
      return send(res, 200, { ok: true });
    } catch {
      return send(res, 401, { error: { code: "BAD_SIGNATURE", message: "signature does not verify" } });
    }
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    void (async () => {
      if (req.method === "GET" && STATIC[path]) {
        const file = STATIC[path];
        res.writeHead(200, { "content-type": TYPES[file.split(".").pop()!], "cache-control": "no-store" });
        return res.end(await readFile(isAbsolute(file) ? file : join(PUBLIC, file)));
      }
      if (req.method === "GET" && path.startsWith("/api/status/")) return statusStream(req, res, decodeURIComponent(path.slice("/api/status/".length)));
      if (req.method === "GET" && path === "/api/events") return send(res, 200, { events: events.map((e) => ({ type: e.type, id: e.id })) });
      if (req.method === "POST" && path.startsWith("/api/")) return api(req, res, path);
      if (req.method === "POST" && path === "/webhooks/otp") return receiveWebhook(req, res);
      send(res, 404, { error: { code: "NOT_FOUND", message: "no such route" } });
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { error: { code: "INTERNAL", message: "something went wrong" } });
      else res.end();
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    server,
    events,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.close();
    },
  };
}
