/**
 * What "Spend & conversion" can be grouped by: the client API's summary keys, plus APP (the
 * dashboard compares apps; a client app only ever sees itself). COUNTRY is the verification's
 * destination country; DAY (UTC), CHANNEL, PROVIDER and APP each attempt's, so a verification
 * that went out over two providers (a failover) counts under both — as Twilio reports attempts.
 */
export enum SpendKey { COUNTRY = "COUNTRY", CHANNEL = "CHANNEL", PROVIDER = "PROVIDER", APP = "APP", DAY = "DAY" }

export const SPEND_KEYS = new Set<string>(Object.values(SpendKey));
