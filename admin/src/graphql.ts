import { HttpError } from "react-admin";

/** The admin API's error codes as HTTP statuses, so react-admin's auth and notification logic understands them. */
const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, NOT_FOUND: 404, RATE_LIMITED: 429 };

export const ADMIN_GRAPHQL = "/admin/graphql";

/**
 * When the person last touched the page. Every request says how long ago that was, so that the
 * server's idle timeout counts the person, not the page's own polling and live refreshes.
 */
let lastInteraction = Date.now();
for (const event of ["pointerdown", "keydown", "wheel", "touchstart"]) {
  window.addEventListener(event, () => (lastInteraction = Date.now()), { capture: true, passive: true });
}

/**
 * One POST to /admin/graphql. The session rides in its HttpOnly cookie (same origin); the JSON
 * content type is what the server's CSRF rule requires. A GraphQL error becomes an HttpError
 * carrying the contract code (and `field` for bad input).
 */
export async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(ADMIN_GRAPHQL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-otpg-idle-seconds": String(Math.floor((Date.now() - lastInteraction) / 1000)) },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
  try {
    body = await res.json();
  } catch {
    throw new HttpError(`The gateway answered ${res.status}`, res.status);
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    const code = e.extensions?.code ?? "INTERNAL_SERVER_ERROR";
    throw new HttpError(e.message, STATUS[code] ?? 500, { code, field: e.extensions?.field, retryAfter: e.extensions?.retryAfter });
  }
  return body.data as T;
}
