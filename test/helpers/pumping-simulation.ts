/**
 * An SMS-pumping attack against a gateway on default settings, as a fraudster runs it, with real
 * users going about their business in between. Shared by the e2e suite and `npm run bench`, which
 * drive it through their own clients.
 *
 * - History: real users on a dozen US prefixes request a code and type it back (the app's record).
 * - "one prefix": 150 numbers of ONE French prefix (+33 6 12 34 xx xx), each from another IP.
 * - "one country, 60 prefixes": 600 US numbers, 10 in each of 60 prefixes, each from another IP.
 * - Converting users throughout: US users on the prefixes with a history (the attacked country),
 *   French users on other prefixes (the other attacked country), German and British users; each
 *   reads the code off the SMS and verifies it within a second or two.
 * Nobody in an attack ever verifies.
 */
export type Outcome = { id: string } | { refused: string };

export interface SimulationClient {
  request(destination: string, clientIp: string): Promise<Outcome>;
  /** Reads the code sent to `destination` and verifies it; true when APPROVED. */
  verify(id: string, destination: string): Promise<boolean>;
}

export interface PatternResult { pattern: string; requests: number; paid: number; numbers: string[] }
export interface SimulationResult {
  attacks: PatternResult[];
  converting: { users: number; refused: number; verified: number; refusals: string[] };
  historyUsers: number;
}

const US_AREAS = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234, 239, 240, 248, 251, 252,
  253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320,
  321, 323, 325, 330, 331, 334, 336, 337, 339, 347, 351, 352, 360, 361, 385, 386, 401, 402, 404, 405];

const pad = (n: number, w: number) => String(n).padStart(w, "0");
let ipSeq = 0;
/** Another public address each time (11.x–99.x), as a rotating proxy pool would hand out. */
export const nextIp = () => {
  const n = ++ipSeq * 7919 + 104_729;
  return `${11 + (n % 89)}.${(n >> 7) % 256}.${(n >> 15) % 256}.${1 + (n % 254)}`;
};

/** The US prefixes real users come from: "+1<area>700". */
const knownUsPrefix = (i: number) => `+1${US_AREAS[i]}700`;

export const PATTERNS = {
  onePrefix: Array.from({ length: 150 }, (_, i) => `+3361234${pad(i, 4)}`),
  oneCountry: Array.from({ length: 600 }, (_, i) => `+1${US_AREAS[12 + Math.floor(i / 10)]}${320 + Math.floor(i / 10)}${pad(i % 10, 4)}`),
};

/** The n-th converting user: US on a known prefix, FR elsewhere than the attacked prefix, DE, GB. */
function convertingUser(n: number): string {
  const tail = pad((n * 37) % 10_000, 4);
  switch (n % 4) {
    case 0: return `${knownUsPrefix(n % 12)}${tail}`;
    case 1: return `+3367${pad(n % 1000, 3)}${tail}`;
    case 2: return `+49170${pad(n % 10_000, 4)}${tail}`;
    default: return `+447400${pad(n % 100, 2)}${tail}`;
  }
}

/**
 * Runs the attack. `concurrency` requests of the attack are in flight at once (fast, as a
 * script would be); a converting user arrives every `userEvery` attack requests.
 */
export async function runPumpingSimulation(client: SimulationClient, opts: { concurrency?: number; userEvery?: number } = {}): Promise<SimulationResult> {
  const concurrency = opts.concurrency ?? 8;
  const userEvery = opts.userEvery ?? 10;
  const converting = { users: 0, refused: 0, verified: 0, refusals: [] as string[] };
  const users: Promise<void>[] = [];
  const realUser = async (destination: string) => {
    converting.users++;
    const r = await client.request(destination, nextIp());
    if ("refused" in r) {
      converting.refused++;
      converting.refusals.push(`${destination}: ${r.refused}`);
      return;
    }
    if (await client.verify(r.id, destination)) converting.verified++;
  };

  // The app's record: three real users on each of a dozen US prefixes, verified.
  const history = Array.from({ length: 36 }, (_, i) => `${knownUsPrefix(i % 12)}${pad(9000 + i, 4)}`);
  for (let i = 0; i < history.length; i += 6) await Promise.all(history.slice(i, i + 6).map(realUser));
  const historyUsers = converting.verified;
  Object.assign(converting, { users: 0, refused: 0, verified: 0, refusals: [] });

  const attacks: PatternResult[] = [];
  let userN = 0;
  for (const [pattern, numbers] of [["one prefix", PATTERNS.onePrefix], ["one country, 60 prefixes", PATTERNS.oneCountry]] as const) {
    const result: PatternResult = { pattern, requests: 0, paid: 0, numbers: [] };
    let next = 0;
    const worker = async () => {
      while (next < numbers.length) {
        const to = numbers[next++];
        result.requests++;
        if (result.requests % userEvery === 0) users.push(realUser(convertingUser(userN++)));
        const r = await client.request(to, nextIp());
        if ("id" in r) {
          result.paid++;
          result.numbers.push(to);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    attacks.push(result);
  }
  await Promise.all(users);
  return { attacks, converting, historyUsers };
}
