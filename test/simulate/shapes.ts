import type { CountryCode } from "libphonenumber-js";
import { MANY_COUNTRIES, MobileNumbers } from "./numbers";
import { Rng } from "./random";

/**
 * Shapes of traffic as real apps and fraudsters produce them, each a family whose parameters are
 * drawn from the seed: the defaults must hold for the family, not for one case. Times are in
 * simulated seconds; `speed` is how much faster than the wall clock the gateway's protection
 * clock runs for the shape (protection/clock.ts), so an hour of traffic takes seconds.
 */
export type Channel = "SMS" | "VOICE" | "WHATSAPP";

/** A person who wants a code: requests one and (unless they abandon) types it back, maybe after typos. */
export interface RealUser { kind: "user"; at: number; destination: string; clientIp: string | null; verifyAfter: number | null; typos: number }
/** A pumper's request: a number whose traffic pays them, never verified. */
export interface Pump { kind: "pump"; at: number; destination: string; channel: Channel; clientIp: string | null }
export type Actor = RealUser | Pump;

export interface Plan {
  shape: string;
  /** What was drawn, in words, for the table. */
  params: string;
  speed: number;
  actors: Actor[];
  /** Real users refused at most (every shape: 0 for users outside an attack). */
  maxRefused: number | null;
  /** Pumped messages paid at most. */
  maxPaid: number | null;
}

export interface ShapeOptions { quick: boolean }
type Shape = (rng: Rng, n: MobileNumbers, o: ShapeOptions) => Plan;

const HOUR = 3600;
const LAUNCH_COUNTRIES: Array<[CountryCode, number]> = [["US", 0.6], ["GB", 0.25], ["CA", 0.15]];

const ip = (rng: Rng) => `${rng.int(11, 99)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
const weighted = (rng: Rng, xs: Array<[CountryCode, number]>) => {
  let r = rng.next();
  for (const [c, w] of xs) if ((r -= w) < 0) return c;
  return xs[0][0];
};

/** How long a real user takes to type the code: most within seconds, some on a slow phone. */
function verifyDelay(rng: Rng, slowShare = 0.15): number {
  return rng.chance(slowShare) ? rng.between(60, 240) : rng.between(4, 45);
}

/** Real users arriving at `perHour` (Poisson) from `start` for `seconds`, from an existing user base and new numbers. */
function users(rng: Rng, n: MobileNumbers, o: {
  start: number; seconds: number; perHour: (t: number) => number; conversion: number; base: Map<CountryCode, string[]> | null;
  fresh: number; countries: Array<[CountryCode, number]>; clientIp: boolean; typoShare: number; slowShare?: number;
}): RealUser[] {
  const out: RealUser[] = [];
  let t = o.start;
  for (;;) {
    t += rng.exp(HOUR / Math.max(0.001, o.perHour(t)));
    if (t >= o.start + o.seconds) return out;
    const country = weighted(rng, o.countries);
    const base = o.base?.get(country);
    const destination = base && !rng.chance(o.fresh) ? n.inPrefix(rng.pick(base), country) : n.fresh(country);
    out.push({
      kind: "user", at: t, destination, clientIp: o.clientIp ? ip(rng) : null,
      verifyAfter: rng.chance(o.conversion) ? verifyDelay(rng, o.slowShare) : null,
      typos: rng.chance(o.typoShare) ? rng.int(1, 2) : 0,
    });
  }
}

/** An app's user base: the prefixes its users come from, per country. */
function userBase(rng: Rng, n: MobileNumbers, countries: Array<[CountryCode, number]>, prefixes: number): Map<CountryCode, string[]> {
  return new Map(countries.map(([c, w]) => [c, Array.from({ length: Math.max(2, Math.round(prefixes * w)) }, () => n.prefix(c))]));
}

/** A steady hour of the app's own users before an attack, so the app has a record (as any app under attack does). */
function background(rng: Rng, n: MobileNumbers, o: ShapeOptions) {
  const countries: Array<[CountryCode, number]> = [["US", 0.7], ["GB", 0.3]];
  const base = userBase(rng, n, countries, 30);
  const perHour = o.quick ? rng.int(60, 120) : rng.int(80, 200);
  const conversion = rng.between(0.7, 0.9);
  const seconds = HOUR;
  const real = users(rng, n, { start: 0, seconds, perHour: () => perHour, conversion, base, fresh: 0.15, countries, clientIp: true, typoShare: 0.1 });
  return { real, attackAt: HOUR / 2, text: `${perHour} users/h at ${pct(conversion)} before and during` };
}

/** `count` pumped requests from `at`, `perSecond`, each from another IP. */
function pumps(rng: Rng, at: number, numbers: string[], channel: (i: number) => Channel, perSecond = 5): Pump[] {
  return numbers.map((destination, i) => ({ kind: "pump", at: at + i / perSecond, destination, channel: channel(i), clientIp: ip(rng) }));
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * The spike's clock speed. It was 600× at full size (300× in the quick sample): the full peak hour
 * (up to 1,200 users) then played in six wall seconds, 200 users a second, and a code window of ten
 * minutes was one wall second — so the machine's own latency read as users who never typed (seed
 * 524: 16 of 1,766 refused at 600×, none at 120× or 150×). At 150× the full spike's seven hours
 * play in 168 s, the steady week's wall time, so a full run takes no longer; the quick sample's
 * three hours in 72 s, beside the pumping shapes' 60 — CI's sample, on a busier machine, gets the
 * same margin.
 */
const SPIKE_SPEED = 150;

export const SHAPES: Record<string, Shape> = {
  /** A new app's launch: a few hundred first users in two minutes across US, GB, CA. */
  launch(rng, n, o) {
    const size = o.quick ? rng.int(150, 300) : rng.int(200, 500);
    const conversion = rng.between(0.6, 0.95);
    const seconds = 120;
    const actors = users(rng, n, {
      start: 0, seconds, perHour: () => (size * HOUR) / seconds, conversion, base: null, fresh: 1, countries: LAUNCH_COUNTRIES, clientIp: true, typoShare: 0.1,
    });
    return { shape: "launch", params: `${actors.length} first users in 2 min, ${pct(conversion)} verify`, speed: 5, actors, maxRefused: 0, maxPaid: null };
  },

  /** A campaign: hours of ordinary traffic, then one hour at ten times the rate. */
  spike(rng, n, o) {
    const perHour = o.quick ? rng.int(20, 40) : rng.int(40, 120);
    const conversion = rng.between(0.7, 0.9);
    const hours = o.quick ? 2 : 6;
    const countries: Array<[CountryCode, number]> = [["US", 0.8], ["GB", 0.2]];
    const base = userBase(rng, n, countries, 40);
    const actors = users(rng, n, {
      start: 0, seconds: (hours + 1) * HOUR, perHour: (t) => (t >= hours * HOUR ? 10 * perHour : perHour), conversion, base, fresh: 0.3, countries,
      clientIp: true, typoShare: 0.1,
    });
    return { shape: "campaign spike", params: `${perHour}/h for ${hours} h, then ${10 * perHour}/h; ${pct(conversion)} verify`, speed: SPIKE_SPEED, actors, maxRefused: 0, maxPaid: null };
  },

  /** Ordinary days of an established app, compressed: a day's rhythm, slowly growing. */
  steady(rng, n, o) {
    const days = o.quick ? 1 : 7;
    const perHour = rng.int(20, 60);
    const conversion = rng.between(0.7, 0.9);
    const countries: Array<[CountryCode, number]> = [["US", 0.5], ["GB", 0.2], ["DE", 0.15], ["FR", 0.15]];
    const base = userBase(rng, n, countries, 40);
    const rhythm = (t: number) => perHour * (0.3 + 1.4 * Math.max(0, Math.sin((Math.PI * ((t / HOUR) % 24)) / 24))) * (1 + t / (days * 86_400) / 2);
    const actors = users(rng, n, { start: 0, seconds: days * 86_400, perHour: rhythm, conversion, base, fresh: 0.2, countries, clientIp: true, typoShare: 0.1 });
    return { shape: "steady week", params: `${days} day(s) around ${perHour}/h, ${pct(conversion)} verify`, speed: 3600, actors, maxRefused: 0, maxPaid: null };
  },

  /** A backend calling server to server: no clientIp, its users' routine typos. */
  serverToServer(rng, n, o) {
    const perHour = rng.int(200, 400);
    const conversion = rng.between(0.75, 0.92);
    const seconds = o.quick ? HOUR / 2 : HOUR;
    const countries: Array<[CountryCode, number]> = [["US", 0.7], ["CA", 0.3]];
    const base = userBase(rng, n, countries, 30);
    const typoShare = rng.between(0.2, 0.4);
    const actors = users(rng, n, { start: 0, seconds, perHour: () => perHour, conversion, base, fresh: 0.5, countries, clientIp: false, typoShare });
    return { shape: "server to server, no clientIp", params: `${actors.length} users, ${pct(typoShare)} with typos, ${pct(conversion)} verify`, speed: 60, actors, maxRefused: 0, maxPaid: null };
  },

  /** Users who mistype and phones that are slow: up to three wrong codes, four minutes to type. */
  typos(rng, n, o) {
    const perHour = rng.int(150, 300);
    const conversion = rng.between(0.7, 0.9);
    const countries: Array<[CountryCode, number]> = [["US", 0.6], ["GB", 0.4]];
    const actors = users(rng, n, {
      start: 0, seconds: o.quick ? HOUR / 2 : HOUR, perHour: () => perHour, conversion, base: userBase(rng, n, countries, 20), fresh: 0.5, countries,
      clientIp: true, typoShare: 0.4, slowShare: 0.3,
    }).map((u) => (u.typos ? { ...u, typos: rng.int(1, 3) } : u));
    return { shape: "typos and slow phones", params: `${actors.length} users, 40 % mistype 1–3 times, 30 % slow`, speed: 60, actors, maxRefused: 0, maxPaid: null };
  },

  /** Pumping one prefix: many numbers of one range, each from another IP. */
  pumpPrefix(rng, n, o) {
    const bg = background(rng, n, o);
    const country = rng.pick(MANY_COUNTRIES);
    const prefix = n.prefix(country);
    const count = rng.int(100, 200);
    const attack = pumps(rng, bg.attackAt, Array.from({ length: count }, () => n.inPrefix(prefix, country)), () => "SMS");
    return { shape: "pumping: one prefix", params: `${count} SMS to one ${country} prefix; ${bg.text}`, speed: 60, actors: [...bg.real, ...attack], maxRefused: null, maxPaid: 20 };
  },

  /** Pumping one country with a history: ten numbers in each of many of its prefixes. */
  pumpCountry(rng, n, o) {
    const bg = background(rng, n, o);
    const prefixes = rng.int(40, 80);
    const numbers = Array.from({ length: prefixes }, () => n.prefix("US")).flatMap((p) => Array.from({ length: 10 }, () => n.inPrefix(p, "US")));
    const attack = pumps(rng, bg.attackAt, numbers, () => "SMS");
    return { shape: "pumping: one country", params: `${numbers.length} SMS over ${prefixes} US prefixes; ${bg.text}`, speed: 60, actors: [...bg.real, ...attack], maxRefused: null, maxPaid: 60 };
  },

  /** Pumping across many countries with no history, ten numbers each, each in another prefix. */
  pumpCountries(rng, n, o) {
    const bg = background(rng, n, o);
    const countries = [...MANY_COUNTRIES].sort(() => rng.next() - 0.5).slice(0, rng.int(30, 45));
    const numbers = countries.flatMap((c) => Array.from({ length: 10 }, () => n.fresh(c))).sort(() => rng.next() - 0.5);
    const attack = pumps(rng, bg.attackAt, numbers, () => "SMS");
    return { shape: "pumping: across countries", params: `${numbers.length} SMS over ${countries.length} countries; ${bg.text}`, speed: 60, actors: [...bg.real, ...attack], maxRefused: null, maxPaid: 60 };
  },

  /** Pumping by voice call, across countries. */
  pumpVoice(rng, n, o) {
    const bg = background(rng, n, o);
    const countries = [...MANY_COUNTRIES].sort(() => rng.next() - 0.5).slice(0, rng.int(15, 30));
    const numbers = countries.flatMap((c) => Array.from({ length: 10 }, () => n.fresh(c)));
    const attack = pumps(rng, bg.attackAt, numbers, () => "VOICE");
    return { shape: "pumping: VOICE", params: `${numbers.length} calls over ${countries.length} countries; ${bg.text}`, speed: 60, actors: [...bg.real, ...attack], maxRefused: null, maxPaid: 60 };
  },

  /** Pumping by WhatsApp in a country where the app has users. */
  pumpWhatsApp(rng, n, o) {
    const bg = background(rng, n, o);
    const numbers = Array.from({ length: rng.int(20, 40) }, () => n.prefix("GB")).flatMap((p) => Array.from({ length: 10 }, () => n.inPrefix(p, "GB")));
    const attack = pumps(rng, bg.attackAt, numbers, () => "WHATSAPP");
    return { shape: "pumping: WHATSAPP", params: `${numbers.length} WhatsApp messages over GB prefixes; ${bg.text}`, speed: 60, actors: [...bg.real, ...attack], maxRefused: null, maxPaid: 60 };
  },

  /** Everything at once: prefixes, countries (with and without history), channels and IPs rotated. */
  pumpMixed(rng, n, o) {
    const bg = background(rng, n, o);
    const countries: CountryCode[] = ["US", "GB", ...[...MANY_COUNTRIES].sort(() => rng.next() - 0.5).slice(0, 20)];
    const numbers = Array.from({ length: rng.int(600, 1000) }, () => n.fresh(rng.pick(countries)));
    const channels: Channel[] = ["SMS", "VOICE", "WHATSAPP"];
    const attack = pumps(rng, bg.attackAt, numbers, () => rng.pick(channels), 8);
    return { shape: "pumping: everything rotated", params: `${numbers.length} over ${countries.length} countries, 3 channels; ${bg.text}`, speed: 60, actors: [...bg.real, ...attack], maxRefused: null, maxPaid: 100 };
  },
};

/** The sample every CI run plays (a fresh seed each time); `npm run simulate` plays them all. */
export const QUICK_SHAPES = ["launch", "serverToServer", "typos", "spike", "pumpPrefix", "pumpCountry", "pumpCountries", "pumpVoice", "pumpWhatsApp", "pumpMixed"];

export function plan(name: string, seed: number, o: ShapeOptions): Plan {
  const rng = new Rng(seed);
  const p = SHAPES[name](rng, new MobileNumbers(rng), o);
  p.actors.sort((a, b) => a.at - b.at);
  return p;
}
