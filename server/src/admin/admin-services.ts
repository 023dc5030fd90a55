import type { DataSource } from "typeorm";
import type { Config } from "../config/config";
import type { SecretKeys } from "../crypto/secret-keys";
import type { Services } from "../services";
import { AuditLog } from "./auth/audit-log";
import { LoginService } from "./auth/login-service";
import { SessionStore } from "./auth/sessions";
import { StaffEnrolment } from "./auth/staff-enrolment";
import { StaffStore } from "./auth/staff-store";
import { Totp } from "./auth/totp";
import { SearchCountry } from "./search-country";

/** What the admin API works with: the gateway's services plus staff, sessions, sign-in and the audit log. */
export interface AdminServices {
  ds: DataSource;
  config: Config;
  gateway: Services;
  staff: StaffStore;
  sessions: SessionStore;
  login: LoginService;
  /** Enrolment links and authenticator replacement. */
  enrolment: StaffEnrolment;
  audit: AuditLog;
  /** The country of numbers typed into a search without their country code. */
  searchCountry: SearchCountry;
}

export function createAdminServices(ds: DataSource, config: Config, gateway: Services, keys: SecretKeys): AdminServices {
  const staff = new StaffStore(ds);
  const sessions = new SessionStore(ds, {
    idleSeconds: config.admin.sessionIdleSeconds, maxSeconds: config.admin.sessionMaxSeconds, staffNeedTotp: config.admin.requireTotp,
  });
  const audit = new AuditLog(ds);
  const login = new LoginService(staff, sessions, new Totp(keys.keyWrap), gateway.limits, audit, config.admin);
  const enrolment = new StaffEnrolment(ds, staff, login, sessions, audit, dashboardUrl(config));
  return { ds, config, gateway, staff, sessions, login, enrolment, audit, searchCountry: new SearchCountry(ds, config.admin.defaultCountry) };
}

/** Where links into the dashboard point (enrolment links): PUBLIC_URL's /admin/. */
export function dashboardUrl(config: Pick<Config, "publicUrl">): string {
  return `${config.publicUrl}/admin/`;
}
