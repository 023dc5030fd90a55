import type { DataSource } from "typeorm";
import type { AppEntity } from "../apps/app.entity";
import { open } from "../crypto/aead";
import { badInput, notFound } from "../errors";
import type { TokenSigner } from "../tokens/token-signer";
import { VerificationStatus } from "../verification/enums";
import type { VerifyPolicy } from "../protection/verify-policy";
import { checkClientIp, isUuid } from "../verification/input-rules";
import type { VerifyResult } from "../verification/verify-service";
import { approveStep } from "./totp-approval";
import { TOTP_CODE, matchingSteps, type Clock } from "./totp-codes";
import { checkSubject } from "./totp-input";
import type { TotpPolicy } from "./totp-policy";
import type { TotpStore } from "./totp-store";

export interface VerifyTotpParams { factorId?: string | null; subject?: string | null; code: string; clientIp?: string | null }

/**
 * Checks a code against one factor, or against every verified factor of a subject. The try is
 * charged to the factors' budgets first (TotpPolicy); then each factor's secret is opened and
 * the code compared for the steps within the drift window; a match is accepted by the guarded
 * UPDATE (approveStep), which also makes a replayed code fail like a wrong one.
 */
export class TotpVerifier {
  constructor(
    private readonly ds: DataSource,
    private readonly store: TotpStore,
    private readonly secretKey: Buffer,
    private readonly tokens: TokenSigner,
    private readonly policy: TotpPolicy,
    /** verifyOtp's budgets: the client IP's failures count across OTP and TOTP alike. */
    private readonly ipPolicy: VerifyPolicy,
    private readonly clock: Clock = Date.now,
  ) {}

  async verify(app: AppEntity, input: VerifyTotpParams, socketIp: string | null): Promise<VerifyResult> {
    if (typeof input.code !== "string" || !TOTP_CODE.test(input.code)) throw badInput("code", "code must be 6 digits");
    const ip = checkClientIp(input.clientIp) ?? checkClientIp(socketIp);
    // The caller's IP budget (shared with verifyOtp) first: spent, it refuses before anything is looked up.
    await this.ipPolicy.check(app, ip, null);
    let factors;
    if (input.factorId !== null && input.factorId !== undefined) {
      factors = isUuid(input.factorId) ? await this.store.candidates(app.id, { factorId: input.factorId }) : [];
    } else if (input.subject !== null && input.subject !== undefined) {
      factors = await this.store.candidates(app.id, { subject: checkSubject(input.subject) });
    } else {
      throw badInput("factorId", "Give factorId or subject");
    }
    if (!factors.length) {
      // A probe at nothing still costs the caller's IP budget, as verifyOtp's do: guessing ids is never free.
      await this.ipPolicy.failed(app, ip, null);
      throw notFound("Factor not found");
    }
    const ids = factors.map((f) => f.id);

    let left: number;
    try {
      left = await this.policy.charge(app, ids, ip);
    } catch (err) {
      await this.store.recordAttempts(app.id, ids, ip, "RATE_LIMITED");
      throw err;
    }

    const now = this.clock();
    let replayed = false;
    for (const f of factors) {
      const secret = open(this.secretKey, f.secret_cipher, f.id).toString();
      for (const step of matchingSteps(secret, input.code, now)) {
        const approved = await approveStep(this.ds, f.id, app.id, step, ip);
        if (!approved) {
          replayed = true;
          continue;
        }
        const attemptsRemaining = await this.policy.approved(app, ids, ip);
        const token = await this.tokens.sign({ factor_id: approved.id, amr: ["otp", "totp"] }, app.id, approved.subject);
        return { status: VerificationStatus.APPROVED, attemptsRemaining, token };
      }
    }
    // A replayed code is a wrong code to the caller; the attempt rows tell support which it was.
    await Promise.all([this.store.recordAttempts(app.id, ids, ip, replayed ? "REPLAYED" : "WRONG_CODE"), this.ipPolicy.failed(app, ip, null)]);
    return { status: left > 0 ? VerificationStatus.PENDING : VerificationStatus.MAX_ATTEMPTS_REACHED, attemptsRemaining: left, token: null };
  }
}
