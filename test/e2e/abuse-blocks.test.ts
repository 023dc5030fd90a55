import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { runCli } from "../helpers/cli";
import { blocksOf, refusal, requestOtp } from "../helpers/abuse";

/**
 * Blocks are stored with rule, masked key, app, count and expiry, and an operator can lift
 * one — from the service (what the dashboard calls) or from the CLI in another process, which
 * resets the shared Redis counter so the key works again at once.
 */
describe("abuse protection: blocks and lifting them", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  const cli = (...args: string[]) => runCli(args, gw.env);
  /** Each CLI run is a fresh Node process loading the whole gateway: seconds each on a busy machine. */
  const CLI_TIMEOUT = 180_000;

  it("the service lists a block and lifts it with who and why; the key sends again; a second lift is NOT_FOUND", async () => {
    const app = await gw.createApp({ name: "Service", maxSends: 1 });
    await requestOtp(gw, app.key, "+14155550901");
    expect(refusal(await requestOtp(gw, app.key, "+14155550901")).code).toBe("RATE_LIMITED");

    const [listed] = await gw.app.services.blockService.list({ active: true, appId: app.id });
    expect(listed).toMatchObject({ rule: "sends_per_destination", keyMasked: "+1******0901", hits: 2, limit: 1, active: true, appId: app.id });
    expect(listed.blockedUntil.getTime()).toBeGreaterThan(Date.now() + 500_000);
    expect(JSON.stringify(listed)).not.toContain("+14155550901"); // the limiter key stays inside

    await expect(gw.app.services.blockService.lift(listed.id, "support@example.com", "  ")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    const lifted = await gw.app.services.blockService.lift(listed.id, "support@example.com", "verified the customer by phone");
    expect(lifted).toMatchObject({ rule: "sends_per_destination", keyMasked: "+1******0901" });
    expect((await requestOtp(gw, app.key, "+14155550901")).errors).toBeUndefined();
    const [row] = await blocksOf(gw, app.id);
    expect(row).toMatchObject({ lift_reason: "verified the customer by phone" });
    expect(row.lifted_at).toBeTruthy();
    expect(await gw.app.services.blockService.list({ active: true, appId: app.id })).toEqual([]);
    await expect(gw.app.services.blockService.lift(listed.id, "support@example.com", "again")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(gw.app.services.blockService.lift("not-an-id", "x", "y")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("otp-gateway block list / lift, from another process: the counter in Redis is reset", async () => {
    const app = await gw.createApp({ name: "CLI", settings: { limits: { sendsPerIp: { max: 1, windowSeconds: 3600 } } } });
    await requestOtp(gw, app.key, "+14155550911", { clientIp: "198.51.100.77" });
    expect(refusal(await requestOtp(gw, app.key, "+14155550912", { clientIp: "198.51.100.77" })).code).toBe("RATE_LIMITED");

    const list = cli("block", "list", "--active", "--app", app.id, "--json");
    expect(list.status, list.stderr).toBe(0);
    const blocks = JSON.parse(list.stdout);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ rule: "sends_per_ip", keyMasked: "198.51.100.*", hits: 2, limit: 1, active: true });
    expect(list.stdout).not.toContain("198.51.100.77");
    const table = cli("block", "list", "--active");
    expect(table.stdout).toMatch(new RegExp(`${blocks[0].id}\\s+ACTIVE\\s+sends_per_ip\\s+198\\.51\\.100\\.\\*`));

    const lift = cli("block", "lift", "--id", blocks[0].id, "--reason", "office NAT, not an attack", "--by", "ops");
    expect(lift.status, lift.stderr).toBe(0);
    expect(lift.stdout).toMatch(/Lifted block .* sends_per_ip on 198\.51\.100\.\*/);
    expect((await requestOtp(gw, app.key, "+14155550913", { clientIp: "198.51.100.77" })).errors).toBeUndefined();
    expect(JSON.parse(cli("block", "list", "--app", app.id, "--json").stdout)[0]).toMatchObject({ active: false, liftedBy: "ops", liftReason: "office NAT, not an attack" });

    const again = cli("block", "lift", "--id", blocks[0].id, "--reason", "again");
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not found or already lifted/);
  }, CLI_TIMEOUT);

  it("otp-gateway app create/settings take the abuse settings, checked", async () => {
    const created = cli("app", "create", "--name", "Flags", "--countries", "US", "--voice-countries", "US,GB", "--json",
      "--limits", '{"sendsPerIp":{"max":7,"windowSeconds":60},"pumping":{"country":null}}',
      "--test-destinations", '[{"destination":"+1 415 555 0920","code":"123456"}]');
    expect(created.status, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout);
    const app = (await gw.app.services.apps.find(id))!;
    expect(app.settings).toMatchObject({
      voiceCountries: ["US", "GB"], limits: { sendsPerIp: { max: 7, windowSeconds: 60 }, pumping: { country: null } },
      testDestinations: [{ destination: "+14155550920", code: "123456" }],
    });

    const bad = cli("app", "settings", "--id", id, "--limits", '{"sendsPerIp":{"max":0,"windowSeconds":60}}');
    expect(bad.status).toBe(2); // a bad value (docs/cli.md)
    expect(bad.stderr).toMatch(/limits\.sendsPerIp\.max/);
    const changed = cli("app", "settings", "--id", id, "--limits", '{"sendsPerCountry":null}', "--test-destinations", "null");
    expect(changed.status, changed.stderr).toBe(0);
    expect(changed.stdout).not.toContain("123456");
    const after = (await gw.app.services.apps.find(id))!.settings;
    expect(after.limits).toEqual({ sendsPerCountry: null });
    expect(after.testDestinations).toBeUndefined();
    expect(after.voiceCountries).toEqual(["US", "GB"]);
  }, CLI_TIMEOUT);

  it("in production, the CLI refuses test destinations unless ALLOW_TEST_DESTINATIONS=true", () => {
    const flags = ["app", "create", "--name", "QA", "--json", "--test-destinations", '[{"destination":"+14155550930","code":"123456"}]'];
    const refused = runCli(flags, { ...gw.env, NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com" });
    expect(refused.status).toBe(2); // a bad value (docs/cli.md)
    expect(refused.stderr).toMatch(/ALLOW_TEST_DESTINATIONS/);
    const allowed = runCli(flags, { ...gw.env, NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", ALLOW_TEST_DESTINATIONS: "true" });
    expect(allowed.status, allowed.stderr).toBe(0);
  }, CLI_TIMEOUT);
});
