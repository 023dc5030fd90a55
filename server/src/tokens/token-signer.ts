import { randomUUID } from "node:crypto";
import { SignJWT, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from "jose";
import type { DataSource } from "typeorm";
import { open, seal } from "../crypto/aead";

const ALG = "ES256";
/** Every token this gateway signs lives this long. */
export const TOKEN_TTL_SECONDS = 300;
/**
 * A key that stopped signing stays published this long: the life of the last token it signed,
 * plus a minute for a verifier's clock that runs behind ours.
 */
const PUBLISHED_AFTER_RETIRED_MS = (TOKEN_TTL_SECONDS + 60) * 1000;
/** Keys are read from Postgres at least this often (more often when the JWKS max-age is shorter). */
const MAX_REFRESH_MS = 60_000;
/** `keys rotate` notifies here; every API process then rereads the keys (the refresh bounds it if the NOTIFY is lost). */
export const SIGNING_KEYS_CHANNEL = "otpg_signing_keys";
const LOCK = 727002;

export interface TokenClaims { [claim: string]: unknown }

interface KeyRow { kid: string; public_jwk: JWK; private_key_cipher: Buffer; sign_after: Date; retired_at: Date | null }

/** What `keys rotate` did: the new key, when it signs, and what became of the keys before it. */
export interface Rotation {
  kid: string;
  signsFrom: Date;
  previous: Array<{ kid: string; signsUntil: Date; publishedUntil: Date | null; withdrawn: boolean }>;
}

type Runner = { query: DataSource["query"] };

/**
 * Signs verification tokens and publishes every key a live token may carry, and the next one.
 *
 * Keys are rows with a schedule (`sign_after`, `retired_at`, `withdrawn_at`), so every process
 * signs with the same key at the same moment without talking to the others. A rotation
 * publishes the new key at once and signs with it only after `rotationLeadSeconds`: the JWKS
 * another process serves may be up to one refresh stale, and a verifier keeps what it fetched
 * for the JWKS's max-age, so after both have passed every verifier knows the new `kid`. The old
 * key signs until then and stays published until its last token has expired. `--now` (a leaked
 * key) signs with the new key at once and withdraws the others from the JWKS.
 */
export class TokenSigner {
  private rows: KeyRow[] = [];
  /** Postgres's clock minus ours: the schedule is read against the database's clock, the one every process shares. */
  private clockOffsetMs = 0;
  private refreshedAt = 0;
  /** The refresh running now: requests that find the keys stale together share one query. */
  private refreshing?: Promise<void>;
  private readonly imported = new Map<string, Promise<Parameters<SignJWT["sign"]>[0]>>();

  constructor(
    private readonly ds: DataSource,
    private readonly wrapKey: Buffer,
    private readonly issuer: string,
    private readonly jwksMaxAgeSeconds = 300,
  ) {}

  /** How stale this process's view of the keys (and so the JWKS it serves) may get. */
  get refreshMs(): number {
    return Math.min(MAX_REFRESH_MS, this.jwksMaxAgeSeconds * 1000);
  }

  /** From `keys rotate` until the new key signs: the JWKS's own cache lifetime, plus the refresh. */
  get rotationLeadSeconds(): number {
    return this.jwksMaxAgeSeconds + Math.ceil(this.refreshMs / 1000);
  }

  async init(): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      if (!(await this.hasSigningKey(m))) await this.insertKey(m, 0);
    });
    await this.refresh();
  }

  /**
   * Publishes a new key now; it signs after `rotationLeadSeconds`, or at once with `now` (and the
   * others are withdrawn). `record` runs in the same transaction (the audit entry).
   */
  async rotate(opts: { now?: boolean } = {}, record?: (m: Runner, rotation: Rotation) => Promise<void>): Promise<Rotation> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      // With no key signing yet (a fresh database), nobody can have cached a JWKS that lacks the new one.
      const lead = opts.now || !(await this.hasSigningKey(m)) ? 0 : this.rotationLeadSeconds;
      const { kid, signAfter } = await this.insertKey(m, lead);
      // (An UPDATE's answer through TypeORM is [rows, count].)
      const [previous]: [Array<{ kid: string; retired_at: Date; withdrawn_at: Date | null }>] = opts.now
        ? await m.query(
            `UPDATE signing_keys SET withdrawn_at = now(), retired_at = LEAST(COALESCE(retired_at, now()), now())
              WHERE kid <> $1 AND withdrawn_at IS NULL RETURNING kid, retired_at, withdrawn_at`,
            [kid],
          )
        : // Keys still signing (or waiting to) stop when the new one starts; keys already retired keep their time.
          await m.query(
            `UPDATE signing_keys SET retired_at = $2 WHERE kid <> $1 AND withdrawn_at IS NULL AND (retired_at IS NULL OR retired_at > $2)
              RETURNING kid, retired_at, withdrawn_at`,
            [kid, signAfter],
          );
      const rotation: Rotation = {
        kid,
        signsFrom: signAfter,
        previous: previous.map((p) => ({
          kid: p.kid,
          signsUntil: p.retired_at,
          publishedUntil: p.withdrawn_at ? null : new Date(p.retired_at.getTime() + PUBLISHED_AFTER_RETIRED_MS),
          withdrawn: p.withdrawn_at !== null,
        })),
      };
      await record?.(m, rotation);
      await m.query(`SELECT pg_notify('${SIGNING_KEYS_CHANNEL}', '')`);
      this.refreshedAt = 0;
      return rotation;
    });
  }

  async sign(claims: TokenClaims, audience: string, subject: string, ttlSeconds = TOKEN_TTL_SECONDS): Promise<string> {
    await this.refreshIfStale();
    let row = this.signingRow();
    if (!row) {
      // The schedule moved past what was read (a retirement reached before the next refresh): read again.
      await this.refresh();
      row = this.signingRow();
      if (!row) throw new Error("no signing key in force; run the server once to create one, or `otp-gateway keys rotate --now`");
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: row.kid, typ: "JWT" })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(await this.privateKey(row));
  }

  /** Keys waiting to sign, the one signing, and those whose tokens may still be alive. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.refreshIfStale();
    const now = this.now();
    return { keys: this.rows.filter((r) => !r.retired_at || r.retired_at.getTime() + PUBLISHED_AFTER_RETIRED_MS > now).map((r) => r.public_jwk) };
  }

  /** Another process changed the keys (its NOTIFY): the next request reads them again. */
  invalidate(): void {
    this.refreshedAt = 0;
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** The newest key whose time has come and which has not been retired. */
  private signingRow(): KeyRow | undefined {
    const now = this.now();
    return this.rows.find((r) => r.sign_after.getTime() <= now && (!r.retired_at || r.retired_at.getTime() > now));
  }

  private async hasSigningKey(m: Runner): Promise<boolean> {
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM signing_keys
        WHERE withdrawn_at IS NULL AND sign_after <= now() AND (retired_at IS NULL OR retired_at > now())`,
    );
    return n > 0;
  }

  private async insertKey(m: Runner, leadSeconds: number): Promise<{ kid: string; signAfter: Date }> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" };
    const pkcs8 = await exportPKCS8(privateKey);
    const [row] = await m.query(
      `INSERT INTO signing_keys (kid, alg, public_jwk, private_key_cipher, sign_after)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING sign_after`,
      [kid, ALG, jwk, seal(this.wrapKey, Buffer.from(pkcs8), kid), leadSeconds],
    );
    return { kid, signAfter: row.sign_after };
  }

  private privateKey(row: KeyRow) {
    let key = this.imported.get(row.kid);
    if (!key) {
      key = importPKCS8(open(this.wrapKey, row.private_key_cipher, row.kid).toString(), ALG);
      this.imported.set(row.kid, key);
    }
    return key;
  }

  private async refreshIfStale(): Promise<void> {
    if (this.rows.length > 0 && Date.now() - this.refreshedAt <= this.refreshMs) return;
    await (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
  }

  private async refresh(): Promise<void> {
    const rows: Array<KeyRow & { db_now: Date }> = await this.ds.query(
      `SELECT kid, public_jwk, private_key_cipher, sign_after, retired_at, now() AS db_now FROM signing_keys
        WHERE withdrawn_at IS NULL AND (retired_at IS NULL OR retired_at > now() - make_interval(secs => $1))
        ORDER BY sign_after DESC, created_at DESC`,
      [PUBLISHED_AFTER_RETIRED_MS / 1000],
    );
    if (rows.length === 0) throw new Error("no signing key; run the server once to create one");
    this.clockOffsetMs = rows[0].db_now.getTime() - Date.now();
    this.rows = rows;
    for (const kid of this.imported.keys()) if (!rows.some((r) => r.kid === kid)) this.imported.delete(kid);
    this.refreshedAt = Date.now();
  }
}
