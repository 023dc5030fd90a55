import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLField, GraphQLSchema } from "graphql";
import { buildAdminSchema } from "../../server/src/admin/schema";
import { CamaraSimSwapFake } from "../fakes/camara-sim-swap-fake";
import { TelegramGatewayFake } from "../fakes/telegram-gateway-fake";
import { TwilioFake } from "../fakes/twilio-fake";
import { newMessagingServiceSid } from "../fakes/twilio-rcs";
import { requestOtp, resendOtp, verifyOtp } from "../helpers/abuse";
import { AdminClient, LIFT, REVEAL, createStaffWithTotp } from "../helpers/admin";
import { codeFromOutbox, eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode } from "../helpers/graphql-client";
import { documentFor, leaks, queryFields, selectAll, type Seeds } from "../helpers/support-masking";
import { enroll, verifyTotp, wrongCode } from "../helpers/totp";

const SID = "AC00000000000000000000000000000077";
const TOKEN = "twilio-masking-test-token-0123456789";

/** The seeded customers. Numbers chosen so that no five digits of one occur in ids, counts or dates by chance. */
const US = "+14155552671"; // the example: verified, with a purpose naming it
const FR_BAD = "+33612345678"; // Twilio refuses it, quoting it in two formats
const GB = ["+447911123456", "+447911125678", "+447911129012"]; // one prefix (+44791112): a pumping_prefix block
const ES = ["+34698765432", "+34698769999"]; // one prefix: a sends_per_prefix block
const FR_COUNTRY = ["+33687654321", "+33776543210", "+33665432109"]; // fresh prefixes: a pumping_country block
const GUESSED = "+14155558642"; // a wrong code: the NIST daily cap's block
const CEILING = ["+14155551357", "+14155552468"]; // a spend ceiling block
const ONCE = "+14155553579"; // a sends_per_destination block, lifted by ADMIN with a reason quoting the number
const EMAIL = "jane.doe@example.com";
const STEP_NUMBER = "+14155557319"; // a workflow step's own destination (requestOtp `next`)
const TOTP_SUBJECT_NUMBER = "+14155559876";
const TOTP_LABEL_NUMBER = "+44 7911 654321";
// The newer channels and the SIM-swap check (contract, second round): each holds a number of its own.
const BY_TELEGRAM = "+447400135790"; // sent by Telegram's Gateway API
const NO_TELEGRAM = "+447400182468"; // Telegram refuses it: a permanent failure
const BY_RCS = "+14155556802"; // through Twilio's Messaging Service, RCS
const NO_RCS = "+14155556913"; // the device has no RCS and the service no SMS sender: 63106
const SWAPPED = "+14155557024"; // flagged: sent, its verification says SWAPPED
const SWAP_REFUSED = "+14155558135"; // refused: a sim_swap block
const TG_TOKEN = "AAHmasking-telegram-token-0123456789";
const CAMARA_CLIENT = { clientId: "masking-test", clientSecret: "masking-test-secret" };

const SEEDS: Seeds = {
  numbers: [US, FR_BAD, ...GB, ...ES, ...FR_COUNTRY, GUESSED, ...CEILING, ONCE, TOTP_SUBJECT_NUMBER, "+447911654321", STEP_NUMBER, BY_TELEGRAM, NO_TELEGRAM, BY_RCS, NO_RCS, SWAPPED, SWAP_REFUSED],
  identifiers: [EMAIL, "jane.doe", "customer-90210-ann", "ann.example@example.org", "ann.example", "bob.smith@example.net", "bob.smith"],
};

/**
 * The contract's "Support staff see masked numbers, everywhere", as a property: for a data set
 * with every kind of record that holds a customer's number or identifier (verifications,
 * deliveries and vendor texts, blocks of every rule that keys on a number, prefix or country,
 * authenticator factors, lifts and revocations with reasons, audit rows, webhook attempts),
 * every Query field of the admin schema that a SUPPORT session can reach, called with the
 * seeded ids and searches, answers nothing that shows more of a number than its calling code
 * and last four digits, and no identifier whole — so no two answers put together do either.
 * The same scan of ADMIN's answers finds the numbers: the scan can fail.
 */
describe("SUPPORT sees masked numbers, everywhere (every admin query, a seeded data set)", () => {
  let twilio: TwilioFake;
  let telegram: TelegramGatewayFake;
  let camara: CamaraSimSwapFake;
  let gw: TestGateway;
  let schema: GraphQLSchema;
  let support: AdminClient;
  let admin: AdminClient;
  const ids = { verifications: [] as string[], blocks: [] as string[], factors: [] as string[], providers: [] as string[] };
  /** For ADMIN's queries (SUPPORT's calls are FORBIDDEN before they look at them). */
  const adminIds = { app: "", staff: "", audit: "", endpoint: "" };

  const accepted = async (key: string, to: string, extra: Record<string, unknown> = {}) => {
    const r = await requestOtp(gw, key, to, extra);
    expect(r.errors, `${to} should be accepted`).toBeUndefined();
    ids.verifications.push(r.data.requestOtp.id);
    return r.data.requestOtp.id as string;
  };
  const refused = async (key: string, to: string) => expect(errorCode(await requestOtp(gw, key, to))).toBe("RATE_LIMITED");

  beforeAll(async () => {
    schema = await buildAdminSchema();
    const rcsService = { sid: newMessagingServiceSid(), rcsSender: "rcs:acme_otp_agent", smsSenders: [] };
    twilio = await TwilioFake.start({ accountSid: SID, authToken: TOKEN, services: [rcsService] });
    twilio.setRcsCapable(NO_RCS, false);
    telegram = await TelegramGatewayFake.start({ token: TG_TOKEN, noTelegram: [NO_TELEGRAM] });
    camara = await CamaraSimSwapFake.start(CAMARA_CLIENT);
    camara.swapSim(SWAPPED, 2);
    camara.swapSim(SWAP_REFUSED, 2);
    gw = await startGateway({
      env: {
        TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url,
        TWILIO_RCS_MESSAGING_SERVICE_SID: rcsService.sid, TELEGRAM_GATEWAY_TOKEN: TG_TOKEN, TELEGRAM_GATEWAY_API_BASE_URL: telegram.url,
        SIM_SWAP_API_BASE_URL: camara.apiBaseUrl, SIM_SWAP_TOKEN_URL: camara.tokenUrl,
        SIM_SWAP_CLIENT_ID: CAMARA_CLIENT.clientId, SIM_SWAP_CLIENT_SECRET: CAMARA_CLIENT.clientSecret,
      },
    });
    support = (await createStaffWithTotp(gw, "agent@example.com", "SUPPORT")).client;
    admin = (await createStaffWithTotp(gw, "lead@example.com", "ADMIN")).client;
    const ds = gw.app.db.ds;

    // A verified number, its resend refused by the cooldown, an e-mail, and a webhook endpoint that never answers.
    const shop = await gw.createApp({ name: "Shop" });
    const endpoint = await gw.app.services.webhookEndpoints.add(shop.id, "http://127.0.0.1:9/hooks?token=app-own-secret", null);
    Object.assign(adminIds, { app: shop.id, endpoint: endpoint.endpoint.id });
    const usId = await accepted(shop.key, US, { purpose: "phone-change.14155552671", clientIp: "192.0.2.77" });
    const sms = await twilio.waitForMessage((m) => m.to === US);
    expect((await verifyOtp(gw, shop.key, { verificationId: usId, code: extractCode(sms.body!) })).data.verifyOtp.status).toBe("APPROVED");
    await resendOtp(gw, shop.key, await accepted(shop.key, US));
    await accepted(shop.key, EMAIL, { channel: "EMAIL", next: [{ channel: "SMS", destination: STEP_NUMBER, afterSeconds: 15 }] });
    // Twilio's 21211 quoting the number, formatted and not.
    twilio.failNext(1, { status: 400, code: 21211, message: `The 'To' number +33 6 12 34 56 78 is not a valid phone number (33612345678).` });
    const badId = await accepted(shop.key, FR_BAD);
    await eventually(async () => ((await ds.query(`SELECT status FROM deliveries WHERE verification_id = $1`, [badId]))[0]?.status === "FAILED" ? true : undefined), "the refused delivery", 15_000);
    // Telegram and RCS, each delivered once and refused once by the vendor (its words stored with the delivery).
    const sentOrFailed = await Promise.all([[BY_TELEGRAM, "TELEGRAM"], [NO_TELEGRAM, "TELEGRAM"], [BY_RCS, "RCS"], [NO_RCS, "RCS"]].map(([to, channel]) => accepted(shop.key, to, { channel })));
    await eventually(async () => {
      const done = await ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE verification_id = ANY($1) AND status NOT IN ('QUEUED', 'SENDING')`, [sentOrFailed]);
      return done[0].n === 4 ? true : undefined;
    }, "the Telegram and RCS deliveries handed off or refused", 15_000);
    // The SIM-swap check: a flagged verification (risk SWAPPED, its timeline's RISK_CHECK) and a refusal's sim_swap block.
    const flagged = await gw.createApp({ name: "Flagged", settings: { simSwap: { maxAgeHours: 24, action: "flag" } } });
    await accepted(flagged.key, SWAPPED);
    const refusing = await gw.createApp({ name: "Refusing", settings: { simSwap: { maxAgeHours: 24, action: "refuse" } } });
    const simSwapRefusal = await requestOtp(gw, refusing.key, SWAP_REFUSED);
    expect(simSwapRefusal.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "SIM_SWAP" });

    // The guards that key on a number prefix, a country, a destination's wrong codes, an app's spend.
    // Floor 1: open codes with no evidence weigh half, so two go out and the third is refused.
    const pump = await gw.createApp({ name: "Pump", settings: { limits: { pumping: { prefix: { floor: 1, share: 0.5 }, country: null, unproven: null, app: null } } } });
    for (const to of GB.slice(0, 2)) await accepted(pump.key, to);
    await refused(pump.key, GB[2]);
    const prefix = await gw.createApp({ name: "Prefix", settings: { limits: { sendsPerPrefix: { max: 1, windowSeconds: 3600 }, pumping: { prefix: null, country: null, unproven: null, app: null } } } });
    await accepted(prefix.key, ES[0]);
    await refused(prefix.key, ES[1]);
    // France gets a history first (one verified code), so its other prefixes are judged as its fresh ones.
    const country = await gw.createApp({ name: "Country", settings: { limits: { pumping: { prefix: { floor: 5 }, country: { floor: 1, share: 0.5 }, unproven: null, app: null } } } });
    const provenId = await accepted(country.key, "+33612340001");
    const provenCode = extractCode((await twilio.waitForMessage((m) => m.to === "+33612340001")).body!);
    expect((await verifyOtp(gw, country.key, { verificationId: provenId, code: provenCode })).data.verifyOtp.status).toBe("APPROVED");
    for (const to of FR_COUNTRY.slice(0, 2)) await accepted(country.key, to);
    await refused(country.key, FR_COUNTRY[2]);
    const guesses = await gw.createApp({ name: "Guesses", settings: { limits: { verifyFailuresPerDestinationPerDay: 1 } } });
    const guessedId = await accepted(guesses.key, GUESSED);
    const code = extractCode((await twilio.waitForMessage((m) => m.to === GUESSED)).body!);
    await verifyOtp(gw, guesses.key, { verificationId: guessedId, code: code === "000000" ? "111111" : "000000" });
    const ceiling = await gw.createApp({ name: "Ceiling", settings: { limits: { spendCeiling: { paidPerDay: 1 } } } });
    await accepted(ceiling.key, CEILING[0]);
    await refused(ceiling.key, CEILING[1]);
    const once = await gw.createApp({ name: "Once", maxSends: 1 });
    await accepted(once.key, ONCE);
    await refused(once.key, ONCE);
    await eventually(async () => {
      const rules: string[] = (await ds.query(`SELECT DISTINCT rule FROM rate_limit_blocks`)).map((r: any) => r.rule);
      return ["pumping_prefix", "sends_per_prefix", "pumping_country", "verify_failures_per_destination_day", "spend_ceiling_paid", "sends_per_destination", "sim_swap"].every((r) => rules.includes(r)) ? true : undefined;
    }, "a block of every rule seeded");

    // Authenticators with numbers and addresses for subjects and labels; a wrong code; one revoked by ADMIN with a reason quoting a number.
    const ann = await enroll(gw, shop.key, { subject: "customer-90210-ann", label: "ann.example@example.org" });
    await verifyTotp(gw, shop.key, { factorId: ann.factor.id, code: wrongCode(ann.secret, Date.now()), clientIp: "203.0.113.77" });
    const bob = await enroll(gw, shop.key, { subject: "bob.smith@example.net", label: TOTP_LABEL_NUMBER });
    const numbered = await enroll(gw, shop.key, { subject: TOTP_SUBJECT_NUMBER });
    ids.factors.push(ann.factor.id, bob.factor.id, numbered.factor.id);
    expect((await admin.gql(`mutation($id: ID!) { revokeTotpFactor(id: $id, reason: "lost phone, +44 7911 654321 called") { status } }`, { id: bob.factor.id })).errors).toBeUndefined();

    // ADMIN at work: a search, a reveal, and a lift whose reason quotes the number.
    await admin.gql(`query($q: String) { verifications(filter: { q: $q }) { total } }`, { q: US });
    expect((await admin.gql(REVEAL, { id: usId, reason: "customer on the phone" })).data.revealDestination.destination).toBe(US);
    const [onceBlock] = await ds.query(`SELECT id FROM rate_limit_blocks WHERE rule = 'sends_per_destination' AND app_id = $1`, [once.id]);
    expect((await admin.gql(LIFT, { id: onceBlock.id, reason: "Customer +1 415 555 3579 called, ticket 77" })).errors).toBeUndefined();

    await eventually(async () => ((await ds.query(`SELECT count(*)::int AS n FROM webhook_attempts`))[0].n > 0 ? true : undefined), "a webhook attempt", 15_000);
    ids.blocks.push(...(await ds.query(`SELECT id FROM rate_limit_blocks ORDER BY created_at`)).map((r: any) => r.id));
    adminIds.staff = (await ds.query(`SELECT id FROM admin_users ORDER BY created_at LIMIT 1`))[0].id;
    adminIds.audit = String((await ds.query(`SELECT max(id) AS id FROM audit_log`))[0].id);
    ids.providers.push(...(await support.gql(`{ providers { data { id } } }`)).data.providers.data.map((p: any) => p.id));
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([twilio?.stop(), telegram?.stop(), camara?.stop()]);
  });

  /** The calls to make of one Query field: the seeded ids for a record, the seeded searches for a list. */
  const callsOf = (field: GraphQLField<unknown, unknown>): Array<Record<string, unknown>> => {
    const page = field.args.some((a) => a.name === "perPage") ? { perPage: 100 } : {};
    const byField: Record<string, Array<Record<string, unknown>>> = {
      verification: ids.verifications.map((id) => ({ id })),
      block: ids.blocks.map((id) => ({ id })),
      totpFactor: ids.factors.map((id) => ({ id })),
      provider: ids.providers.map((id) => ({ id })),
      verifications: [{}, ...[US, FR_BAD, ONCE, EMAIL].map((q) => ({ filter: { q } }))],
      blocks: [{}, ...[ONCE, GUESSED].map((q) => ({ filter: { q } }))],
      totpFactors: [{}, ...["customer-90210-ann", "bob.smith@example.net", TOTP_SUBJECT_NUMBER].map((subject) => ({ filter: { subject } }))],
      app: [{ id: adminIds.app }],
      safelist: [{ appId: adminIds.app }],
      webhookEndpoints: [{ appId: adminIds.app }],
      webhookMessages: [{ appId: adminIds.app, endpointId: adminIds.endpoint }],
      staffUser: [{ id: adminIds.staff }],
      auditEntry: [{ id: adminIds.audit }],
      // The seeded data's period (the last 30 days and the next one), grouped every way that names a place or a vendor.
      spendAndConversion: [{ from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString(), groupBy: ["COUNTRY", "CHANNEL", "PROVIDER"] }],
    };
    const calls = byField[field.name] ?? [{}];
    const needed = field.args.filter((a) => a.type.toString().endsWith("!") && a.defaultValue === undefined).map((a) => a.name);
    for (const c of calls) {
      const missing = needed.filter((n) => !(n in c));
      if (missing.length) throw new Error(`${field.name} needs ${missing.join(", ")}: give it seeded values in callsOf`);
    }
    return calls.map((c) => ({ ...page, ...c }));
  };

  /** Every answer a client gets from every Query field it may call; the fields it may not. */
  const everyAnswer = async (client: AdminClient) => {
    const answers: Array<{ call: string; data: unknown }> = [];
    const forbidden = new Set<string>();
    for (const field of queryFields(schema)) {
      for (const variables of callsOf(field)) {
        const r = await client.gql(documentFor(field, variables), variables);
        if (errorCode(r) === "FORBIDDEN") {
          forbidden.add(field.name);
          continue;
        }
        expect(r.errors, `${field.name}(${JSON.stringify(variables)})`).toBeUndefined();
        answers.push({ call: `${field.name}(${JSON.stringify(variables)})`, data: r.data });
      }
    }
    return { answers, forbidden };
  };

  it("no answer to SUPPORT shows more of a number than its calling code and last four digits, nor an identifier whole", async () => {
    const { answers, forbidden } = await everyAnswer(support);
    const reached = new Set(answers.map((a) => a.call.slice(0, a.call.indexOf("("))));
    // The scan reached the records that hold customers' data (a new SUPPORT query joins by itself).
    for (const name of ["verification", "verifications", "deliveryAttempts", "blocks", "block", "totpFactors", "totpFactor", "outboxMessages", "dashboard", "providers"]) {
      expect(reached, name).toContain(name);
    }
    expect([...forbidden].sort()).toEqual(["app", "apps", "auditEntry", "auditLog", "safelist", "spendAndConversion", "staffUser", "staffUsers", "webhookEndpoints", "webhookMessages"]);
    expect(answers.flatMap((a) => leaks(a.data, SEEDS, a.call))).toEqual([]);
    // The seeded records are in the answers, masked: the scan looked at them.
    const text = JSON.stringify(answers);
    for (const shown of ["+1******2671", "+33*****5678", "+44…", "+34…", "FR", "+1******3579", "j***@example.com", "c***nn", "a***@example.org", "+44******4321", "WEBHOOK_ATTEMPT", "21211",
      "+44******5790", "+44******2468", "+1******6802", "+1******6913", "TELEGRAM", "RCS", "63106", "SWAPPED", "RISK_CHECK", "+1******7024", "+1******8135", "sim_swap"]) {
      expect(text.includes(shown), shown).toBe(true);
    }
  });

  it("the prefix join is closed: a verification's timeline links its prefix's blocks, whose key SUPPORT sees as the calling code", async () => {
    const [gbId] = await gw.app.db.ds.query(`SELECT id FROM verifications WHERE destination = $1`, [GB[0]]);
    const timeline = `query($id: ID!) { verification(id: $id) { destination timeline { kind rule blockId } } }`;
    const block = `query($id: ID!) { block(id: $id) { rule key liftNeedsAdmin } }`;
    const v = (await support.gql(timeline, { id: gbId.id })).data.verification;
    expect(v.destination).toBe("+44******3456");
    const linked = v.timeline.find((e: any) => e.rule === "pumping_prefix");
    expect(linked?.blockId).toBeTruthy();
    expect((await support.gql(block, { id: linked.blockId })).data.block).toEqual({ rule: "pumping_prefix", key: "+44…", liftNeedsAdmin: true });
    // ADMIN sees the prefix as stored, and the whole number.
    expect((await admin.gql(block, { id: linked.blockId })).data.block.key).toBe("+44791112xxxx");
    expect((await admin.gql(timeline, { id: gbId.id })).data.verification.destination).toBe(GB[0]);
  });

  it("authenticator subjects: SUPPORT finds one only by the whole subject, sees it masked, and every search is audited", async () => {
    const q = `query($s: String) { totpFactors(filter: { subject: $s }) { total data { subject label } } }`;
    expect((await support.gql(q, { s: "customer-90210" })).data.totpFactors.total).toBe(0);
    expect((await support.gql(q, { s: "customer-90210-ann" })).data.totpFactors).toEqual({ total: 1, data: [{ subject: "c***nn", label: "a***@example.org" }] });
    expect((await admin.gql(q, { s: "customer-90210" })).data.totpFactors).toEqual({ total: 1, data: [{ subject: "customer-90210-ann", label: "ann.example@example.org" }] });
    const rows = await gw.app.db.ds.query(
      `SELECT actor_email, after FROM audit_log WHERE action = 'totp_factor.search' AND after->>'subject' LIKE 'customer-90210%' ORDER BY id DESC LIMIT 3`);
    expect(rows.reverse()).toEqual([
      { actor_email: "agent@example.com", after: { subject: "customer-90210", kind: "exact", appId: null, matches: 0 } },
      { actor_email: "agent@example.com", after: { subject: "customer-90210-ann", kind: "exact", appId: null, matches: 1 } },
      { actor_email: "lead@example.com", after: { subject: "customer-90210", kind: "prefix", appId: null, matches: 1 } },
    ]);
  });

  it("the one way past the masks is a reveal of one verification's number, with a reason, audited", async () => {
    const [row] = await gw.app.db.ds.query(`SELECT id FROM verifications WHERE destination = $1`, [US]);
    expect(errorCode(await support.gql(REVEAL, { id: row.id, reason: "" }))).toBe("BAD_USER_INPUT");
    expect((await support.gql(REVEAL, { id: row.id, reason: "customer asked to confirm the number" })).data.revealDestination.destination).toBe(US);
    const [audit] = await gw.app.db.ds.query(`SELECT actor_email, reason FROM audit_log WHERE action = 'verification.reveal_destination' AND target_id = $1 ORDER BY id DESC LIMIT 1`, [row.id]);
    expect(audit).toEqual({ actor_email: "agent@example.com", reason: "customer asked to confirm the number" });
  });

  it("a mutation's answer is masked the same way: SUPPORT lifting a number prefix's everyday block sees its calling code", async () => {
    const [row] = await gw.app.db.ds.query(`SELECT id FROM rate_limit_blocks WHERE rule = 'sends_per_prefix' AND lifted_at IS NULL`);
    const r = await support.gql(`mutation($id: ID!, $reason: String!) { liftBlock(id: $id, reason: $reason) ${selectAll(schema.getMutationType()!.getFields().liftBlock.type)} }`,
      { id: row.id, reason: "customer +34 698 765 432 called back" });
    expect(r.errors).toBeUndefined();
    expect(r.data.liftBlock).toMatchObject({ rule: "sends_per_prefix", key: "+34…", liftNeedsAdmin: false, active: false });
    expect(leaks(r.data, SEEDS, "liftBlock")).toEqual([]);
  });

  it("the scan finds the numbers in ADMIN's answers (it can fail)", async () => {
    const { answers } = await everyAnswer(admin);
    const found = answers.flatMap((a) => leaks(a.data, SEEDS, a.call)).join("\n");
    for (const shown of [US, "+44791112xxxx", "+3469876xxxx", "customer-90210-ann", EMAIL, STEP_NUMBER, BY_TELEGRAM, NO_RCS, SWAPPED, SWAP_REFUSED]) expect(found).toContain(shown);
  });
});
