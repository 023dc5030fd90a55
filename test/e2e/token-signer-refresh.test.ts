import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { importJWK, jwtVerify } from "jose";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { TokenSigner } from "../../server/src/tokens/token-signer";
import { deriveKeys } from "../../server/src/crypto/secret-keys";
import { resolveSecret } from "../../server/src/config/secret";

/**
 * The signing keys are read from Postgres when stale (at most once a minute). Requests that
 * find them stale together share one read: at a few hundred approvals a second, every request
 * in flight at that instant used to run its own query.
 */
describe("token signer: one key refresh for many signers", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  it("20 tokens signed at once by a signer with no keys loaded read the keys once, and every token verifies", async () => {
    const real = gw.app.db.ds;
    let reads = 0;
    // The real data source, counting the key reads that pass through it.
    const counting = { query: (sql: string, params?: unknown[]) => (sql.includes("FROM signing_keys") && reads++, real.query(sql, params)) } as unknown as DataSource;
    const signer = new TokenSigner(counting, deriveKeys(resolveSecret(gw.app.config)).keyWrap, gw.app.config.publicUrl);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.sign({ n: i }, "aud", `sub-${i}`)));
    expect(reads).toBe(1);
    const { keys } = await signer.jwks();
    expect(reads).toBe(1);
    for (const [i, t] of tokens.entries()) {
      const kid = JSON.parse(Buffer.from(t.split(".")[0], "base64url").toString()).kid;
      const jwk = keys.find((k) => k.kid === kid)!;
      const { payload } = await jwtVerify(t, await importJWK(jwk, "ES256"), { audience: "aud" });
      expect(payload).toMatchObject({ n: i, sub: `sub-${i}` });
    }
  });
});
