import type { Money } from "../dataProvider";

/** "0.0337 USD · 0.17 EUR": one figure per currency, never added together; "—" when nothing is known. */
export const moneyList = (list: Money[] | undefined) => (list?.length ? list.map((m) => `${m.amount} ${m.currency}`).join(" · ") : "—");

/** The amount in one currency, as a number for drawing only (the figures shown stay the server's strings). */
export const amountIn = (list: Money[], currency: string | null) => Number(list.find((m) => m.currency === currency)?.amount ?? 0);
