/**
 * `npm run bench`, pumping part: the attack simulation of the e2e suite (test/helpers/pumping-simulation.ts)
 * against a gateway on default settings (real Postgres, Redis, the Twilio stand-in), printed as a
 * table, then requestOtp throughput with and without the guard in the same gateway and run:
 * two apps, one with the guard on (floors no load reaches, so every request runs its script step
 * and none is refused) and one with it off, driven alternately for the same time.
 */
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { TwilioFake } from "../fakes/twilio-fake";
import { extractCode } from "../helpers/codes";
import { startGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { runPumpingSimulation, type SimulationClient } from "../helpers/pumping-simulation";
import { randomIp, randomUsNumber } from "./numbers";

const ROOT = resolve(__dirname, "../../..");
const SID = "AC00000000000000000000000000pump1";
const TOKEN = "bench-pumping-token-0123456789abcdef";

async function throughput(url: string, key: string, seconds: number, concurrency = 16): Promise<number> {
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const r = await gql(url, key, REQUEST_OTP, { input: { destination: randomUsNumber(), channel: "SMS", clientIp: randomIp() } });
      if (r.errors) throw new Error(`unexpected refusal: ${r.errors[0].message}`);
      done++;
    }
  }));
  return done / seconds;
}

async function main() {
  const seconds = Number(process.env.BENCH_PUMPING_SECONDS ?? 8);
  const twilio = await TwilioFake.start({ accountSid: SID, authToken: TOKEN, callbackDelayMs: 20 });
  const gw = await startGateway({ env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url, LOG_LEVEL: "warn" } });
  try {
    const app = await gw.createApp({ name: "Every default" });
    const client: SimulationClient = {
      async request(destination, clientIp) {
        const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp } });
        return r.errors ? { refused: String(r.errors[0].extensions?.code) } : { id: r.data.requestOtp.id };
      },
      async verify(id, destination) {
        const sms = await twilio.waitForMessage((m) => m.to === destination, 30_000);
        return (await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body!) } })).data?.verifyOtp?.status === "APPROVED";
      },
    };
    const sim = await runPumpingSimulation(client);
    const limits = { sendsPerCountry: { max: 10_000_000, windowSeconds: 3600 }, sendsPerPrefix: { max: 10_000_000, windowSeconds: 3600 } };
    const on = await gw.createApp({ name: "Guard on", maxSends: 1000, settings: { limits: { ...limits, pumping: { prefix: { floor: 1_000_000 }, country: { floor: 1_000_000 }, unproven: { floor: 1_000_000 }, app: { floor: 1_000_000 } } } } as never });
    const off = await gw.createApp({ name: "Guard off", maxSends: 1000, settings: { limits: { ...limits, pumping: { prefix: null, country: null, unproven: null, app: null } } } as never });
    await throughput(gw.url, off.key, 2); // warm-up
    const rounds: Array<{ on: number; off: number }> = [];
    for (let i = 0; i < 2; i++) rounds.push({ off: await throughput(gw.url, off.key, seconds / 2), on: await throughput(gw.url, on.key, seconds / 2) });
    const withGuard = rounds.reduce((s, r) => s + r.on, 0) / rounds.length;
    const without = rounds.reduce((s, r) => s + r.off, 0) / rounds.length;
    const lines = [
      "| attack pattern (app on default settings) | requests | SMS paid for | converting users refused |",
      "| --- | --- | --- | --- |",
      ...sim.attacks.map((p) => `| ${p.pattern} | ${p.requests} | ${p.paid} | ${sim.converting.refused} of ${sim.converting.users} |`),
      "",
      "| requestOtp, one gateway process, 16 callers | req/s |",
      "| --- | --- |",
      `| pumping guard on (its script step, never refusing) | ${withGuard.toFixed(0)} |`,
      `| pumping guard off | ${without.toFixed(0)} |`,
      `| cost of the guard | ${(((without - withGuard) / without) * 100).toFixed(1)} % |`,
    ];
    process.stdout.write(`\n${lines.join("\n")}\n`);
    writeFileSync(resolve(ROOT, "bench-results/pumping.json"), JSON.stringify({ ranAt: new Date().toISOString(), simulation: { ...sim, attacks: sim.attacks.map(({ numbers: _n, ...p }) => p) }, requestOtpPerSecond: { withGuard, without, rounds } }, null, 2) + "\n");
  } finally {
    await gw.stop();
    await twilio.stop();
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
