import { randomUUID } from "node:crypto";
import { SignJWT, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from "jose";
import type { DataSource } from "typeorm";
import { open, seal } from "../crypto/aead";

const ALG = "ES256";
/** Retired keys stay published this long: far past the 5-minute life of any token they signed. */
const RETIRED_KEY_GRACE = "1 hour";
const REFRESH_MS = 60_000;

export interface TokenClaims { [claim: string]: unknown }

/**
 * Signs verification tokens with the newest active key and publishes every key a live token
 * may carry. Keys are rows, so all processes sign with the same key; `rotate` adds a key
 * and retires the old one without breaking tokens it signed.
 */
export class TokenSigner {
  private active?: { kid: string; key: Parameters<SignJWT["sign"]>[0] };
  private published: JWK[] = [];
  private refreshedAt = 0;
  /** The refresh running now: requests that find the keys stale together share one query. */
  private refreshing?: Promise<void>;

  constructor(private readonly ds: DataSource, private readonly wrapKey: Buffer, private readonly issuer: string) {}

  async init(): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query("SELECT pg_advisory_xact_lock(727002)");
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM signing_keys WHERE retired_at IS NULL`);
      if (n === 0) await this.insertKey(m);
    });
    await this.refresh();
  }

  async rotate(): Promise<string> {
    const kid = await this.ds.transaction(async (m) => {
      await m.query("SELECT pg_advisory_xact_lock(727002)");
      await m.query(`UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL`);
      return this.insertKey(m);
    });
    await this.refresh();
    return kid;
  }

  async sign(claims: TokenClaims, audience: string, subject: string, ttlSeconds = 300): Promise<string> {
    await this.refreshIfStale();
    const { kid, key } = this.active!;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid, typ: "JWT" })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.refreshIfStale();
    return { keys: this.published };
  }

  private async insertKey(m: { query: DataSource["query"] }): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" };
    const pkcs8 = await exportPKCS8(privateKey);
    await m.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_key_cipher) VALUES ($1, $2, $3, $4)`, [
      kid, ALG, jwk, seal(this.wrapKey, Buffer.from(pkcs8), kid),
    ]);
    return kid;
  }

  private async refreshIfStale(): Promise<void> {
    if (this.active && Date.now() - this.refreshedAt <= REFRESH_MS) return;
    await (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
  }

  private async refresh(): Promise<void> {
    const rows: Array<{ kid: string; public_jwk: JWK; private_key_cipher: Buffer; retired_at: Date | null }> = await this.ds.query(
      `SELECT kid, public_jwk, private_key_cipher, retired_at FROM signing_keys
        WHERE retired_at IS NULL OR retired_at > now() - interval '${RETIRED_KEY_GRACE}' ORDER BY created_at DESC`,
    );
    const current = rows.find((r) => r.retired_at === null);
    if (!current) throw new Error("no active signing key; run the server once to create one");
    if (this.active?.kid !== current.kid) {
      const pem = open(this.wrapKey, current.private_key_cipher, current.kid).toString();
      this.active = { kid: current.kid, key: await importPKCS8(pem, ALG) };
    }
    this.published = rows.map((r) => r.public_jwk);
    this.refreshedAt = Date.now();
  }
}
