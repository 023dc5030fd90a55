import { randomUUID } from "node:crypto";
import type { AppEntity } from "../apps/app.entity";
import { seal } from "../crypto/aead";
import { badInput, notFound } from "../errors";
import { isUuid } from "../verification/input-rules";
import { newTotpSecret, totpUri } from "./totp-codes";
import { checkDisplayName, checkSubject, issuerFromAppName } from "./totp-input";
import { toFactorView, type TotpStore } from "./totp-store";
import type { TotpFactorView } from "./totp.types";

/** Enough for a phone, a tablet and spares; more live factors per subject only widen what a guess can hit. */
export const MAX_FACTORS_PER_SUBJECT = 10;

export interface TotpEnrollmentView { factor: TotpFactorView; secret: string; uri: string; qrCodeSvg: string }

/**
 * Enrolling, listing and revoking an app's end users' authenticator factors (verifying is
 * TotpVerifier). The secret leaves the gateway once, in the enrolment's answer; at rest it is
 * sealed under its own key with the factor id as associated data, so a ciphertext copied onto
 * another row doesn't open.
 */
export class TotpService {
  constructor(private readonly store: TotpStore, private readonly secretKey: Buffer) {}

  async enroll(app: AppEntity, input: { subject: string; label?: string | null; issuer?: string | null }): Promise<TotpEnrollmentView> {
    const subject = checkSubject(input.subject);
    const label = checkDisplayName(input.label, "label");
    const issuer = checkDisplayName(input.issuer, "issuer") ?? issuerFromAppName(app.name);
    if ((await this.store.countActive(app.id, subject)) >= MAX_FACTORS_PER_SUBJECT) {
      throw badInput("subject", `A subject has at most ${MAX_FACTORS_PER_SUBJECT} factors; revoke one first`);
    }
    const id = randomUUID();
    const secret = newTotpSecret();
    const row = await this.store.insert({ id, appId: app.id, subject, label, secretCipher: seal(this.secretKey, Buffer.from(secret), id) });
    const uri = totpUri(issuer, label ?? subject, secret);
    // qrcode (and pngjs under it) loaded at the first enrolment: a worker, which never enrols, doesn't load them.
    return { factor: toFactorView(row), secret, uri, qrCodeSvg: await (await import("qrcode")).default.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 4 }) };
  }

  async list(app: AppEntity, subjectRaw: string): Promise<TotpFactorView[]> {
    const subject = checkSubject(subjectRaw);
    return (await this.store.list(app.id, subject)).map(toFactorView);
  }

  /** Revokes a factor of this app (again: no change). Another app's, or an expired unverified one, is NOT_FOUND. */
  async revoke(app: AppEntity, factorId: string): Promise<TotpFactorView> {
    const done = isUuid(factorId) ? await this.store.revoke(app.id, factorId) : null;
    if (!done) throw notFound("Factor not found");
    return toFactorView(done.after);
  }
}

