import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createOwnedFile, postgresEnvironment } from "../../server/src/db/postgres-account";

/** What root hands the postgres account: a file by descriptor (never through a planted symlink) and a minimal environment. */
describe("postgres account hand-over", () => {
  const dir = mkdtempSync(join(tmpdir(), "otpg-handover-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // As root the file goes to another account (nobody); otherwise to ourselves.
  const owner = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : { uid: process.getuid!(), gid: process.getgid!() };

  it("creates the file 0600, owned by the account, with the content", () => {
    const path = join(dir, "pwfile");
    createOwnedFile(path, "s3cret\n", owner);
    const st = statSync(path);
    expect(st.mode & 0o777).toBe(0o600);
    expect({ uid: st.uid, gid: st.gid }).toEqual(owner);
    expect(readFileSync(path, "utf8")).toBe("s3cret\n");
  });

  it("refuses a symlink planted at its path: the target is neither written nor handed over", () => {
    const target = join(dir, "shadow");
    writeFileSync(target, "root's own\n", { mode: 0o600 });
    const before = statSync(target);
    const planted = join(dir, "planted");
    symlinkSync(target, planted);
    expect(() => createOwnedFile(planted, "s3cret\n", owner)).toThrow(/EEXIST|ELOOP/);
    const after = statSync(target);
    expect(readFileSync(target, "utf8")).toBe("root's own\n");
    expect({ uid: after.uid, gid: after.gid, mode: after.mode }).toEqual({ uid: before.uid, gid: before.gid, mode: before.mode });
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    // A dangling symlink (to where a file would be created) is refused too.
    const dangling = join(dir, "dangling");
    symlinkSync(join(dir, "would-be-created"), dangling);
    expect(() => createOwnedFile(dangling, "s3cret\n", owner)).toThrow(/EEXIST|ELOOP/);
    expect(() => statSync(join(dir, "would-be-created"))).toThrow(/ENOENT/);
  });

  it("passes on the locale and time zone, nothing else of the gateway's environment", () => {
    const env = postgresEnvironment(
      { PATH: "/root/bin:/usr/bin", HOME: "/root", LANG: "C.UTF-8", LC_CTYPE: "C.UTF-8", TZ: "UTC", OTP_SECRET: "x".repeat(40), TWILIO_AUTH_TOKEN: "t", DATABASE_URL: "postgres://u:p@h/d", NODE_OPTIONS: "--require /tmp/x.js" },
      { uid: 101, gid: 104, home: "/var/lib/postgresql" },
    );
    expect(env).toEqual({ PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/var/lib/postgresql", LANG: "C.UTF-8", LC_CTYPE: "C.UTF-8", TZ: "UTC", LC_MESSAGES: "C" });
  });
});
