import { Initial1764100000000 } from "./1764100000000-Initial";
import { AbuseProtection1764300000000 } from "./1764300000000-AbuseProtection";
import { Admin1764400000000 } from "./1764400000000-Admin";
import { DeliveryFailover1764450000000 } from "./1764450000000-DeliveryFailover";
import { AppChangeNotify1764600000000 } from "./1764600000000-AppChangeNotify";
import { TotpFactors1764740000000 } from "./1764740000000-TotpFactors";
import { WebhookEvents1764770000000 } from "./1764770000000-WebhookEvents";
import { WebhookTriggersFast1764770000001 } from "./1764770000001-WebhookTriggersFast";
import { WebhookPauseLift1764770000002 } from "./1764770000002-WebhookPauseLift";
import { WebhookShadowBlocks1764770000003 } from "./1764770000003-WebhookShadowBlocks";
import { RetentionIndexes1764720000000 } from "./1764720000000-RetentionIndexes";
import { VerifyMissIndex1764720000001 } from "./1764720000001-VerifyMissIndex";
import { TraceContext1764790000000 } from "./1764790000000-TraceContext";
import { StaffEnrolmentLinks1764730000000 } from "./1764730000000-StaffEnrolmentLinks";
import { UnverifiedSendBudgets1764700000000 } from "./1764700000000-UnverifiedSendBudgets";
import { RescrubVendorTexts1764800000000 } from "./1764800000000-RescrubVendorTexts";
import { ConversionBudgets1764900000000 } from "./1764900000000-ConversionBudgets";
import { SigningKeySchedule1764910000000 } from "./1764910000000-SigningKeySchedule";
import { AuditLogHashChain1764910000001 } from "./1764910000001-AuditLogHashChain";
import { OutboxPlayedReports1764950000000 } from "./1764950000000-OutboxPlayedReports";
import { DeliveryPrices1765030000000 } from "./1765030000000-DeliveryPrices";
import { VerificationSteps1765000000000 } from "./1765000000000-VerificationSteps";
import { DeliverySentAs1765020000000 } from "./1765020000000-DeliverySentAs";
import { VerificationRisk1765040000000 } from "./1765040000000-VerificationRisk";
import { VerificationRiskChecks1765050000000 } from "./1765050000000-VerificationRiskChecks";
import { AttemptIndexes1765030000001 } from "./1765030000001-AttemptIndexes";

/** Every migration, oldest first. A new migration is a new file here, never an edit of an applied one. */
export const migrations = [
  Initial1764100000000,
  AbuseProtection1764300000000,
  Admin1764400000000,
  DeliveryFailover1764450000000,
  AppChangeNotify1764600000000,
  UnverifiedSendBudgets1764700000000,
  RetentionIndexes1764720000000,
  VerifyMissIndex1764720000001,
  StaffEnrolmentLinks1764730000000,
  TotpFactors1764740000000,
  WebhookEvents1764770000000,
  WebhookTriggersFast1764770000001,
  WebhookPauseLift1764770000002,
  WebhookShadowBlocks1764770000003,
  TraceContext1764790000000,
  RescrubVendorTexts1764800000000,
  ConversionBudgets1764900000000,
  SigningKeySchedule1764910000000,
  AuditLogHashChain1764910000001,
  OutboxPlayedReports1764950000000,
  VerificationSteps1765000000000,
  DeliverySentAs1765020000000,
  DeliveryPrices1765030000000,
  AttemptIndexes1765030000001,
  VerificationRisk1765040000000,
  VerificationRiskChecks1765050000000,
];
