import { randomUUID } from "node:crypto";
import type { ClientCredentials } from "./client-credentials";
import { SimSwapServiceError } from "./sim-swap-service-error";

/** CAMARA's ErrorInfo `code`s are upper-case words (INVALID_ARGUMENT, IDENTIFIER_NOT_FOUND, QUOTA_EXCEEDED …). */
const CAMARA_CODE = /^[A-Z][A-Z0-9_.]{0,63}$/;

/**
 * The GSMA CAMARA SIM Swap API's `check` operation (camaraproject/SimSwap,
 * code/API_definitions/sim-swap.yaml): `POST {apiRoot}/sim-swap/{version}/check` with
 * `{ phoneNumber, maxAge }` (E.164 with '+', hours 1–2400) and a two-legged Bearer token →
 * `200 { swapped: boolean }`; errors are `{ status, code, message }`. A 401 (the token expired
 * or was revoked early) gets one new token and one more try.
 */
export class CamaraSimSwapClient {
  constructor(
    /** The API root up to the version, e.g. https://api.example.com/sim-swap/v2. */
    private readonly apiBaseUrl: string,
    private readonly credentials: ClientCredentials,
  ) {}

  /** Whether the number's SIM changed in the last `maxAgeHours`; throws SimSwapServiceError without an answer. `signal` ends it early. */
  async check(phoneNumber: string, maxAgeHours: number, signal: AbortSignal): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const token = await untilAborted(this.credentials.token(), signal);
      let res: Response;
      try {
        res = await fetch(`${this.apiBaseUrl}/check`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json",
            // CAMARA's correlation header: lets the operator's support find this call without the number.
            "x-correlator": randomUUID(),
          },
          body: JSON.stringify({ phoneNumber, maxAge: maxAgeHours }),
          signal,
        });
      } catch {
        throw new SimSwapServiceError("check", signal.aborted ? "TIMEOUT" : "UNREACHABLE");
      }
      const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
      if (res.status === 401 && attempt === 0) {
        this.credentials.invalidate(token);
        continue;
      }
      if (!res.ok) {
        const code = typeof body?.code === "string" && CAMARA_CODE.test(body.code) ? body.code : `HTTP_${res.status}`;
        throw new SimSwapServiceError("check", code, res.status);
      }
      if (typeof body?.swapped !== "boolean") throw new SimSwapServiceError("check", "MALFORMED_RESPONSE", res.status);
      return body.swapped;
    }
  }
}

/** `p`, or a TIMEOUT as soon as `signal` aborts (a shared token fetch goes on for the other callers). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new SimSwapServiceError("token", "TIMEOUT"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SimSwapServiceError("token", "TIMEOUT"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
