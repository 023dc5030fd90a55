/**
 * A SIM-swap check that got no answer: which step failed (the token or the check) and the
 * service's own code (CAMARA's `code`, OAuth's `error`, or TIMEOUT/UNREACHABLE/HTTP_<status>).
 * Never the number, the secret, a token, or the service's free-text message (which may echo
 * the request).
 */
export class SimSwapServiceError extends Error {
  constructor(
    readonly step: "token" | "check",
    readonly code: string,
    readonly status?: number,
  ) {
    super(`SIM-swap ${step} failed: ${code}${status ? ` (HTTP ${status})` : ""}`);
    this.name = "SimSwapServiceError";
  }
}
