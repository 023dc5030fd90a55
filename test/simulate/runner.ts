import { fastClock } from "../../server/src/protection/clock";
import { extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { startWhatsAppVendors, type WhatsAppVendors } from "../helpers/whatsapp";
import type { Plan, Pump, RealUser } from "./shapes";

/**
 * Plays shapes of traffic through a real gateway: real Postgres and Redis, the gateway over HTTP,
 * the Twilio stand-in driven by the Twilio SDK (SMS, voice, WhatsApp). Shapes that share a speed
 * share one gateway, each on an app of its own with every default; the gateway's protection clock
 * runs `speed` times faster, so an hour of traffic plays in seconds. A real user reads the code off
 * the message the stand-in received and types it back (after any typos); a pumper never does.
 */
export interface ShapeResult {
  plan: Plan;
  users: number;
  refused: number;
  refusals: string[];
  verified: number;
  abandoned: number;
  pumped: number;
  paid: number;
  /** Pumped numbers the gateway accepted (the vendor was asked to send to each). */
  paidNumbers: string[];
  /** The blocks the shape's app recorded, by rule (what refused, and how often a block began). */
  blocks: Record<string, number>;
  /** The figures of each rule's first block: why it refused. */
  firstBlocks: Record<string, Record<string, unknown>>;
}

/** At most this many requests in flight per gateway: a pumper's script is fast, but this is one machine. */
const IN_FLIGHT = 24;

export async function runPlans(plans: Plan[], opts: { production?: boolean; log?: (line: string) => void } = {}): Promise<ShapeResult[]> {
  const bySpeed = new Map<number, Plan[]>();
  for (const p of plans) bySpeed.set(p.speed, [...(bySpeed.get(p.speed) ?? []), p]);
  const groups = await Promise.all([...bySpeed].map(([speed, group]) => runGroup(speed, group, opts)));
  const results = groups.flat();
  return plans.map((p) => results.find((r) => r.plan === p)!);
}

async function runGroup(speed: number, plans: Plan[], opts: { production?: boolean; log?: (line: string) => void }): Promise<ShapeResult[]> {
  const vendors = await startWhatsAppVendors({ callbackDelayMs: 5 });
  let gw: TestGateway | undefined;
  try {
    gw = await startGateway({
      env: { ...vendors.envFor("twilio", { sms: true }), LOG_LEVEL: "warn", ...(opts.production && { NODE_ENV: "production" }) },
      protectionClock: fastClock(speed),
    });
    const g = gw;
    return await Promise.all(plans.map(async (plan) => {
      const app = await g.createApp({ name: `simulated: ${plan.shape}` });
      const started = Date.now();
      const result = await play(plan, { url: g.url, key: app.key, vendors, speed });
      const rows: Array<{ rule: string; n: number; details: Record<string, unknown> }> = await g.app.db.ds.query(
        `SELECT rule, count(*)::int AS n, (array_agg(details ORDER BY created_at))[1] AS details FROM rate_limit_blocks WHERE app_id = $1 GROUP BY rule ORDER BY rule`, [app.id],
      );
      result.blocks = Object.fromEntries(rows.map((b) => [b.rule, b.n]));
      result.firstBlocks = Object.fromEntries(rows.map((b) => [b.rule, b.details]));
      opts.log?.(`${plan.shape}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    }));
  } finally {
    await gw?.stop();
    await vendors.stop();
  }
}

interface Target { url: string; key: string; vendors: WhatsAppVendors; speed: number }

async function play(plan: Plan, t: Target): Promise<ShapeResult> {
  const r: ShapeResult = { plan, users: 0, refused: 0, refusals: [], verified: 0, abandoned: 0, pumped: 0, paid: 0, paidNumbers: [], blocks: {}, firstBlocks: {} };
  const slots = new Semaphore(IN_FLIGHT);
  const start = Date.now();
  const at = (simSeconds: number) => start + (simSeconds * 1000) / t.speed;
  const running: Promise<void>[] = [];
  for (const actor of plan.actors) {
    await sleep(at(actor.at) - Date.now());
    running.push(actor.kind === "user" ? user(actor, t, r, at, slots) : pump(actor, t, r, slots));
  }
  await Promise.all(running);
  return r;
}

async function user(u: RealUser, t: Target, r: ShapeResult, at: (s: number) => number, slots: Semaphore): Promise<void> {
  r.users++;
  const refuse = (why: string) => {
    r.refused++;
    if (r.refusals.length < 20) r.refusals.push(`${u.destination.slice(0, 3)}…${u.destination.slice(-4)}: ${why}`);
  };
  const asked = new Date();
  const req = await slots.run(() => gql(t.url, t.key, REQUEST_OTP, { input: { destination: u.destination, channel: "SMS", ...(u.clientIp && { clientIp: u.clientIp }) } }));
  if (req.errors) return refuse(`request ${req.errors[0].extensions?.code} ${req.errors[0].message}`);
  if (u.verifyAfter === null) {
    r.abandoned++;
    return;
  }
  const sms = await t.vendors.twilio.waitForMessage((m) => m.to === u.destination && m.kind === "sms" && m.at >= asked, 240_000);
  await sleep(at(u.at + u.verifyAfter) - Date.now());
  const code = extractCode(sms.body!);
  const verify = (c: string) => slots.run(() => gql(t.url, t.key, VERIFY_OTP, { input: { verificationId: req.data.requestOtp.id, code: c, ...(u.clientIp && { clientIp: u.clientIp }) } }));
  for (let i = 0; i < u.typos; i++) {
    const wrong = await verify(typo(code, i));
    if (wrong.errors) return refuse(`typo ${i + 1}: ${wrong.errors[0].extensions?.code}`);
  }
  const right = await verify(code);
  if (right.errors) return refuse(`verify ${right.errors[0].extensions?.code} ${right.errors[0].message}`);
  if (right.data.verifyOtp.status !== "APPROVED") return refuse(`verify answered ${right.data.verifyOtp.status}`);
  r.verified++;
}

async function pump(p: Pump, t: Target, r: ShapeResult, slots: Semaphore): Promise<void> {
  r.pumped++;
  const res = await slots.run(() => gql(t.url, t.key, REQUEST_OTP, { input: { destination: p.destination, channel: p.channel, ...(p.clientIp && { clientIp: p.clientIp }) } }));
  if (!res.errors) {
    r.paid++;
    r.paidNumbers.push(p.destination);
  }
}

/** A wrong code one digit off the right one, as a person mistypes. */
function typo(code: string, i: number): string {
  const pos = i % code.length;
  return code.slice(0, pos) + String((Number(code[pos]) + 1 + i) % 10) + code.slice(pos + 1);
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((res) => setTimeout(res, ms)) : Promise.resolve());

class Semaphore {
  private free: number;
  private readonly queue: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((res) => this.queue.push(res));
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    }
  }
}
