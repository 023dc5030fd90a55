import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { codeFromOutbox } from "../helpers/codes";

/** Checking a code and spending an attempt is one atomic statement: races can't approve twice or overspend. */
describe("verification under concurrency", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    gw = await startGateway();
    app = await gw.createApp({ name: "Race", maxSends: 100 });
  });
  afterAll(() => gw?.stop());

  it("20 concurrent right codes approve exactly once; the rest find it consumed", async () => {
    const id = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550301", channel: "SMS" } })).data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, "+14155550301");
    const answers = await Promise.all(Array.from({ length: 20 }, () => gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code } })));
    const approved = answers.filter((r) => r.data?.verifyOtp?.status === "APPROVED");
    expect(approved).toHaveLength(1);
    expect(approved[0].data.verifyOtp.token).toBeTruthy();
    expect(answers.filter((r) => errorCode(r) === "NOT_FOUND")).toHaveLength(19);
    const [{ n }] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM verify_attempts WHERE verification_id = $1 AND outcome = 'APPROVED'`, [id]);
    expect(n).toBe(1);
  });

  it("30 concurrent wrong codes spend exactly the budget of 5", async () => {
    const id = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550302", channel: "SMS" } })).data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, "+14155550302");
    const wrong = code === "000000" ? "000001" : "000000";
    const answers = await Promise.all(Array.from({ length: 30 }, () => gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: wrong } })));
    const statuses = answers.map((r) => r.data.verifyOtp.status);
    expect(statuses.filter((s) => s === "PENDING")).toHaveLength(4);
    expect(statuses.filter((s) => s === "MAX_ATTEMPTS_REACHED")).toHaveLength(26);
    const [row] = await gw.app.db.ds.query(`SELECT failed_attempts, status FROM verifications WHERE id = $1`, [id]);
    expect(row).toEqual({ failed_attempts: 5, status: "MAX_ATTEMPTS_REACHED" });
    const [{ n }] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM verify_attempts WHERE verification_id = $1 AND outcome = 'WRONG_CODE'`, [id]);
    expect(n).toBe(5);
  });
});
