import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestOtp, verifyOtp } from "../helpers/abuse";
import { runCli } from "../helpers/cli";
import { codeFromOutbox } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";

/** Thirty area codes: one number prefix per real user. */
const AREAS = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254];
const STRICT = JSON.stringify({ pumping: { prefix: { floor: 1, share: 0 }, app: { floor: 1, share: 0 }, unproven: { floor: 1, share: 0 }, country: { floor: 1, share: 0 } } });

/**
 * `otp-gateway protection replay` through the real CLI, on traffic recorded by real requests: 30
 * users who verify (each in a prefix of their own) around a burst of 60 never-verified requests
 * to one fresh prefix. The app records in shadow mode, so every request was let through and
 * stored; the replay says what enforcing the default and a much stricter setting would do.
 */
describe("protection replay", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };
  const cli = (...args: string[]) => runCli(["protection", "replay", ...args], gw.env);
  const report = (...args: string[]) => {
    const r = cli("--since", "1d", "--app", app.id, "--json", ...args);
    expect(r.status, r.stderr).toBe(0);
    const [one] = JSON.parse(r.stdout);
    return one;
  };

  const user = async (i: number) => {
    const to = `+1${AREAS[i]}555${String(100 + i).padStart(4, "0")}`;
    const r = await requestOtp(gw, app.key, to);
    expect(r.errors, to).toBeUndefined();
    const v = await verifyOtp(gw, app.key, { verificationId: r.data.requestOtp.id, code: await codeFromOutbox(gw.logs, to) });
    expect(v.data.verifyOtp.status).toBe("APPROVED");
  };

  beforeAll(async () => {
    gw = await startGateway();
    app = await gw.createApp({ name: "Replayed", settings: { limits: { pumping: { mode: "record_only" } } } });
    for (let i = 0; i < 15; i++) await user(i);
    for (let i = 0; i < 60; i++) expect((await requestOtp(gw, app.key, `+1305201${1000 + i}`)).errors).toBeUndefined();
    for (let i = 15; i < 30; i++) await user(i);
  }, 120_000);
  afterAll(() => gw?.stop());

  it("with the app's settings enforced (the defaults): no real user refused, the pumped prefix capped", () => {
    const r = report();
    expect(r).toMatchObject({ appId: app.id, appName: "Replayed", requests: 90, refusedVerifiedUsers: { count: 0, sample: [] } });
    expect(r.unverifiedSendsPaid.recorded).toBe(60);
    expect(r.unverifiedSendsPaid.replayed).toBeGreaterThan(0);
    expect(r.unverifiedSendsPaid.replayed).toBeLessThanOrEqual(20);
    expect(r.refusalsByRule.pumping_prefix).toBeGreaterThanOrEqual(40);
  });

  it("with a much stricter candidate: real users refused, named by calling code and last four digits", () => {
    const r = report("--limits", STRICT);
    expect(r.refusedVerifiedUsers.count).toBeGreaterThan(0);
    expect(r.refusedVerifiedUsers.sample.length).toBe(Math.min(10, r.refusedVerifiedUsers.count));
    for (const masked of r.refusedVerifiedUsers.sample) expect(masked).toMatch(/^\+1\*{6}\d{4}$/);
    expect(r.unverifiedSendsPaid.replayed).toBeLessThan(5);
  });

  it("prints a readable report without --json", () => {
    const r = cli("--since", "1d", "--app", app.id);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Replayed");
    expect(r.stdout).toContain("users who verified but would have been refused: 0");
    expect(r.stdout).toMatch(/never-verified sends paid: \d+ \(recorded: 60\)/);
  });

  it("bad --limits, a bad setting in it or a bad --since: exit 2 with the reason on stderr", () => {
    const notJson = cli("--limits", "{nope");
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toContain("--limits must be JSON");
    const badSetting = cli("--limits", JSON.stringify({ pumping: { prefix: { floor: -1 } } }));
    expect(badSetting.status).toBe(2);
    expect(badSetting.stderr).toContain("limits.pumping.prefix.floor");
    const unknown = cli("--limits", JSON.stringify({ pumpingg: {} }));
    expect(unknown.status).toBe(2);
    const since = cli("--since", "a week");
    expect(since.status).toBe(2);
    expect(since.stderr).toContain("--since must be a duration");
  });
});
