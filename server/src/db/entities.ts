import { AppEntity } from "../apps/app.entity";
import { ApiKeyEntity } from "../apps/api-key.entity";
import { VerificationEntity } from "../verification/verification.entity";
import { VerifyAttemptEntity } from "../verification/verify-attempt.entity";
import { DeliveryEntity } from "../delivery/delivery.entity";
import { DeliveryAttemptEntity } from "../delivery/delivery-attempt.entity";
import { DeliveryEventEntity } from "../delivery/delivery-event.entity";
import { RateLimitBlockEntity } from "../protection/block.entity";
import { OutboxMessageEntity } from "../providers/outbox/outbox-message.entity";
import { SigningKeyEntity } from "../tokens/signing-key.entity";
import { TotpFactorEntity } from "../totp/totp-factor.entity";
import { TotpAttemptEntity } from "../totp/totp-attempt.entity";

/** Every entity the data source maps. A new entity is added here and gets a migration. */
export const entities = [
  AppEntity,
  ApiKeyEntity,
  VerificationEntity,
  VerifyAttemptEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
  DeliveryEventEntity,
  RateLimitBlockEntity,
  OutboxMessageEntity,
  SigningKeyEntity,
  TotpFactorEntity,
  TotpAttemptEntity,
];
