import { isIP } from "node:net";
import { badInput } from "../errors";

/** Size and shape limits on client input: anything past them is BAD_USER_INPUT with its field, and changes nothing. */
const PURPOSE = /^[A-Za-z0-9_.:-]{1,64}$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkPurpose(purpose: string | null | undefined): string | null {
  if (purpose === null || purpose === undefined) return null;
  if (!PURPOSE.test(purpose)) throw badInput("purpose", "purpose is 1 to 64 letters, digits or _ . : -");
  return purpose;
}

export function checkLocale(locale: string | null | undefined): string | null {
  if (locale === null || locale === undefined) return null;
  if (locale.length > 35 || !LOCALE.test(locale)) throw badInput("locale", "locale must be a BCP 47 tag such as en or pt-BR");
  return locale;
}

export function checkClientIp(ip: string | null | undefined): string | null {
  if (ip === null || ip === undefined) return null;
  if (ip.length > 45 || !isIP(ip)) throw badInput("clientIp", "clientIp must be an IPv4 or IPv6 address");
  return ip;
}

export function checkTransaction(t: { amount: string; payee: string } | null | undefined): { amount: string; payee: string } | null {
  if (!t) return null;
  const amount = t.amount.trim();
  const payee = t.payee.trim();
  if (!amount || amount.length > 32) throw badInput("transaction.amount", "amount is 1 to 32 characters");
  if (!payee || payee.length > 100) throw badInput("transaction.payee", "payee is 1 to 100 characters");
  return { amount, payee };
}

export function isUuid(id: string): boolean {
  return UUID.test(id);
}
