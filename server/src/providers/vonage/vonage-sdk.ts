/**
 * Vonage's SDK packages, required where they are first used rather than when a provider or
 * webhook file loads: a gateway without VONAGE_* never loads them, in either thread of a
 * `serve` (their modules' source text is heap each thread would keep for nothing).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export const vonageServerSdk = () => require("@vonage/server-sdk") as typeof import("@vonage/server-sdk");
export const vonageMessages = () => require("@vonage/messages") as typeof import("@vonage/messages");
export const vonageJwt = () => require("@vonage/jwt") as typeof import("@vonage/jwt");
