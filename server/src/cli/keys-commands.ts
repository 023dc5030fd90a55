import { userInfo } from "node:os";
import type { Command } from "commander";
import type { Rotation } from "../tokens/token-signer";
import { withDatabase } from "./with-database";

const iso = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");

/**
 * `otp-gateway keys rotate [--now]`: a new token signing key. Without `--now` it is published at
 * once and signs only after the JWKS's cache lifetime, so no verifier meets an unknown `kid`;
 * with `--now` (a leaked key) it signs at once and the old keys leave the JWKS. Audited.
 */
export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("token signing keys");
  keys
    .command("rotate")
    .description("publish a new signing key now and sign with it once the JWKS cache lifetime has passed; the old key stays published until its tokens have expired")
    .option("--now", "a leaked key: sign with the new key at once and withdraw the old one from the JWKS")
    .option("--json", "one JSON object")
    .action(async (o: { now?: boolean; json?: boolean }) => {
      await withDatabase(async ({ ds, secret, config }) => {
        const [{ AuditLog }, { deriveKeys }, { TokenSigner }] = await Promise.all([
          import("../admin/auth/audit-log.js"), import("../crypto/secret-keys.js"), import("../tokens/token-signer.js"),
        ]);
        const signer = new TokenSigner(ds, deriveKeys(secret).keyWrap, config.publicUrl, config.jwksMaxAgeSeconds);
        const rotation = await signer.rotate({ now: o.now }, (m, r) =>
          new AuditLog(ds).record({
            actor: { id: null, email: `cli:${userInfo().username}`, role: null },
            action: o.now ? "signing_key.rotate_now" : "signing_key.rotate", targetType: "signing_key", targetId: r.kid,
            after: { kid: r.kid, signsFrom: r.signsFrom, previous: r.previous },
          }, m),
        );
        process.stdout.write(o.json ? `${JSON.stringify(rotation)}\n` : describe(rotation));
      });
    });
}

function describe(r: Rotation): string {
  const lines = [`Published key ${r.kid}; tokens are signed with it from ${iso(r.signsFrom)}.`];
  for (const p of r.previous) {
    lines.push(p.withdrawn
      ? `Withdrew key ${p.kid}: no longer signs nor published; tokens it signed no longer verify.`
      : `Key ${p.kid} signs until ${iso(p.signsUntil)} and stays published until ${iso(p.publishedUntil!)}.`);
  }
  return `${lines.join("\n")}\n`;
}
