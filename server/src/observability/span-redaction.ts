import type { AttributeValue, Attributes } from "@opentelemetry/api";

/**
 * What an exported span may not carry: phone numbers, e-mail addresses, codes, API keys, tokens,
 * secrets (docs/security.md, "Traces"). The instrumentations are told to leave most of it out
 * (tracing.ts); this is the net under them, applied to every string of every span before export.
 *
 *  - URLs (url.full, http.url, a db.connection_string, any string that is an absolute URL) keep
 *    their scheme, host, port and path; the query's values and any user:password are replaced.
 *  - Query strings (url.query, the query part of http.target) keep their names only.
 *  - Request and response header attributes are dropped whole.
 *  - All other text (span names, graphql.source, db.statement, exception messages, status
 *    messages, resource attributes) loses runs of 4 or more digits (codes, phone numbers in any
 *    format), e-mail addresses, bearer/basic credentials, the gateway's API keys and webhook
 *    secrets, and the secret values of the process's own environment.
 */
export const REDACTED = "[redacted]";

/** Attributes that name a header's value: whatever the header, it is not exported. */
const HEADER_ATTRIBUTE = /^http\.(request|response)\.header\./;
/** Keys that may carry a whole query string, or a path with its query. */
const QUERY_KEYS = new Set(["url.query", "http.query"]);
const TARGET_KEYS = new Set(["http.target"]);
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;

const DIGIT_RUN = /(?<![\w-])\+?\d(?:[ ()-]{0,2}\d){3,}(?![\w-])/g; // 4+ digits: a code, a phone number however written
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const CREDENTIALS = /\b(bearer|basic)\s+[^\s"',;]+/gi;
const API_KEY = /\botpk_([0-9a-f]{16})_[A-Za-z0-9_-]+/g; // the key's public id stays: it names the key, as the dashboard does
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/=]+/g;
/** In a URL's path: a long opaque segment (a token, a SID), not an id of ours (hex and hyphens). */
const OPAQUE_SEGMENT = /^(?![0-9a-f-]+$)[A-Za-z0-9_-]{32,}$/i;

/** Environment variables whose values are secrets; their values never appear in a span. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|AUTH|PRIVATE|CREDENTIAL/i;

/** The secret values of an environment: named as secrets, or the password of a URL (DATABASE_URL, REDIS_URL, SMTP_URL). */
export function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name) && value.length >= 6) found.add(value);
    if (ABSOLUTE_URL.test(value) && URL.canParse(value)) {
      const { password } = new URL(value);
      if (password.length >= 4) {
        found.add(password);
        found.add(decodeURIComponent(password));
      }
    }
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length);
}

export class SpanRedactor {
  constructor(private readonly secrets: readonly string[] = []) {}

  /** Free text: everything but a URL or a query string. */
  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out
      .replace(CREDENTIALS, `$1 ${REDACTED}`)
      .replace(API_KEY, `otpk_$1_${REDACTED}`)
      .replace(WEBHOOK_SECRET, `whsec_${REDACTED}`)
      .replace(EMAIL, REDACTED)
      .replace(DIGIT_RUN, REDACTED);
  }

  /** A span's name: text, or "METHOD /path?query" (older HTTP conventions) as a target. */
  name(name: string): string {
    const m = /^([A-Z]+) (\/\S*)$/.exec(name);
    return m ? `${m[1]} ${this.target(m[2])}` : ABSOLUTE_URL.test(name) ? this.url(name) : this.text(name);
  }

  /** A query string (without its `?`): the names stay, every value goes. */
  query(query: string): string {
    if (!query) return query;
    return query
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=");
        const name = eq < 0 ? pair : pair.slice(0, eq);
        return `${this.text(safeDecode(name.replace(/\+/g, " ")))}=${REDACTED}`;
      })
      .join("&");
  }

  /** A path, possibly with its query (http.target): segments scrubbed as text, long opaque ones replaced. */
  target(target: string): string {
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const hash = path.indexOf("#");
    const clean = (hash < 0 ? path : path.slice(0, hash))
      .split("/")
      .map((segment) => (OPAQUE_SEGMENT.test(safeDecode(segment)) ? REDACTED : this.text(safeDecode(segment))))
      .join("/");
    return q < 0 ? clean : `${clean}?${this.query(target.slice(q + 1).split("#")[0])}`;
  }

  /** An absolute URL: scheme, host and port stay; no user:password, query values or fragment. */
  url(value: string): string {
    if (!URL.canParse(value)) return this.text(value);
    const u = new URL(value);
    const auth = u.username || u.password ? `${REDACTED}@` : "";
    const search = u.search ? `?${this.query(u.search.slice(1))}` : "";
    return `${u.protocol}//${auth}${u.host}${this.target(u.pathname)}${search}`;
  }

  /** One attribute's value, by what its key says it holds; undefined drops the attribute. */
  value(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
    if (HEADER_ATTRIBUTE.test(key)) return undefined;
    if (typeof value === "string") return this.string(key, value);
    if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? this.string(key, v) : v)) as AttributeValue;
    return value;
  }

  attributes(attributes: Attributes | undefined): Attributes {
    const out: Attributes = {};
    for (const key in attributes) {
      const v = this.value(key, attributes[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  private string(key: string, value: string): string {
    if (QUERY_KEYS.has(key)) return this.query(value.replace(/^\?/, ""));
    if (TARGET_KEYS.has(key) || key === "url.path" || key === "http.route") return this.target(value);
    if (ABSOLUTE_URL.test(value)) return this.url(value);
    return this.text(value);
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
