import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLField, type GraphQLOutputType, type GraphQLSchema } from "graphql";
import { callingCodeOf } from "../../server/src/verification/destination";

/**
 * The pieces of the "SUPPORT sees masked numbers, everywhere" property: every Query field of
 * the admin schema as a document selecting every leaf it can reach, and a scan of answers for
 * what SUPPORT must never see of a seeded customer.
 */

/** Every leaf under `type`, as a selection set ("" for a leaf). Fields that need arguments inside records are left out (there are none today). */
export function selectAll(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  if (!isObjectType(named)) throw new Error(`no selection for ${named.name}: add unions/interfaces to selectAll`);
  if (depth > 5) throw new Error(`${named.name} nests deeper than the scan goes`);
  const fields = Object.values(named.getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined));
  return `{ ${fields.map((f) => `${f.name} ${selectAll(f.type, depth + 1)}`.trim()).join(" ")} }`;
}

/** `query($a: T, …) { field(a: $a, …) { every leaf } }` for the variables given. */
export function documentFor(field: GraphQLField<unknown, unknown>, variables: Record<string, unknown>): string {
  const args = field.args.filter((a) => a.name in variables);
  const defs = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(", ");
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(", ")})` : "";
  return `query${defs ? `(${defs})` : ""} { ${field.name}${call} ${selectAll(field.type)} }`;
}

export const queryFields = (schema: GraphQLSchema) => Object.values(schema.getQueryType()!.getFields());

/** What a seeded customer is: phone numbers (E.164) and other identifiers (e-mail addresses, TOTP subjects and labels). */
export interface Seeds { numbers: string[]; identifiers: string[] }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/**
 * A run of digits as a person would write a number ("+33 6 12 34 56 78", "(415) 555-2671",
 * "+4479111xxxx"), starting where no letter or digit precedes it: a digit run inside an
 * alphanumeric id (a vendor's message SID) is no number anyone wrote.
 */
const NUMBER_RUN = /(?<![A-Za-z0-9])\+?\(?\d(?:[\d\s().-]*\d)?/g;

/** The national significant number of a seeded E.164 number: what follows its calling code. */
export function nationalNumber(e164: string): string {
  const cc = callingCodeOf(e164);
  if (!cc) throw new Error(`no calling code in ${e164}`);
  return e164.slice(1 + cc.length);
}

/**
 * Every string in `answer` (with its path) that shows more of a seeded number than its calling
 * code and last four digits — five digits in a row of its national number, which also covers
 * its prefix (the number without the last four) — or a seeded identifier whole.
 */
export function leaks(answer: unknown, seeds: Seeds, path = "$"): string[] {
  if (typeof answer === "string") {
    if (UUID.test(answer) || ISO_TIME.test(answer)) return [];
    const found: string[] = [];
    const runs = [...answer.matchAll(NUMBER_RUN)].map((m) => m[0].replace(/\D/g, ""));
    for (const n of seeds.numbers) {
      const nsn = nationalNumber(n);
      for (let i = 0; i + 5 <= nsn.length; i++) {
        const window = nsn.slice(i, i + 5);
        if (runs.some((r) => r.includes(window))) {
          found.push(`${path}: ${JSON.stringify(answer)} shows ${window} of ${n}`);
          break;
        }
      }
    }
    for (const id of seeds.identifiers) {
      if (answer.toLowerCase().includes(id.toLowerCase())) found.push(`${path}: ${JSON.stringify(answer)} shows ${id}`);
    }
    return found;
  }
  if (Array.isArray(answer)) return answer.flatMap((v, i) => leaks(v, seeds, `${path}[${i}]`));
  if (answer && typeof answer === "object") return Object.entries(answer).flatMap(([k, v]) => leaks(v, seeds, `${path}.${k}`));
  return [];
}
