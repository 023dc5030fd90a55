import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { LoginOutcome } from "../auth/login-service";
import { staffOf, type AdminContext } from "../context";
import { clearSessionCookie, setSessionCookie } from "../http/cookies";
import { LoginResult, LoginStatus, StaffUser, TotpSetup } from "../types/staff.types";

/** Signing in and out, and authenticators. me, login, logout and the two enrolment-link steps are open without a session. */
@Resolver()
export class AuthResolver {
  @Query(() => StaffUser, { nullable: true, description: "The signed-in staff member, or null" })
  me(@Ctx() ctx: AdminContext): StaffUser | null {
    return ctx.staff;
  }

  @Mutation(() => LoginResult, { description: "Sets the session cookie on OK. Rate-limited per e-mail address and per IP." })
  async login(
    @Arg("email", () => String) email: string,
    @Arg("password", () => String) password: string,
    @Arg("totpCode", () => String, { nullable: true }) totpCode: string | null,
    @Ctx() ctx: AdminContext,
  ): Promise<LoginResult> {
    return answer(ctx, await ctx.admin.login.login({ email, password, totpCode }, ctx.ip, ctx.userAgent));
  }

  @Mutation(() => Boolean, { description: "Ends this session" })
  async logout(@Ctx() ctx: AdminContext): Promise<boolean> {
    if (ctx.sessionId) await ctx.admin.sessions.revoke(ctx.sessionId);
    if (ctx.reply) clearSessionCookie(ctx.reply, ctx.admin.config.admin);
    return true;
  }

  @Mutation(() => TotpSetup, { description: "Enrolment link, step one: its owner's e-mail and password; answers a new secret to scan" })
  beginTotpEnrolment(
    @Arg("token", () => String) token: string,
    @Arg("email", () => String) email: string,
    @Arg("password", () => String) password: string,
    @Ctx() ctx: AdminContext,
  ): Promise<TotpSetup> {
    return ctx.admin.enrolment.begin(token, email, password, ctx.ip);
  }

  @Mutation(() => LoginResult, { description: "Enrolment link, step two: the first code installs the authenticator, uses the link up and signs in" })
  async finishTotpEnrolment(
    @Arg("token", () => String) token: string,
    @Arg("email", () => String) email: string,
    @Arg("password", () => String) password: string,
    @Arg("code", () => String) code: string,
    @Ctx() ctx: AdminContext,
  ): Promise<LoginResult> {
    return answer(ctx, await ctx.admin.enrolment.finish(token, email, password, code, ctx.ip, ctx.userAgent));
  }

  @Authorized()
  @Mutation(() => TotpSetup, { description: "Replacing your authenticator: your password and a current code; then confirmTotpSetup with a code from the new one" })
  startTotpSetup(
    @Arg("password", () => String) password: string,
    @Arg("currentCode", () => String) currentCode: string,
    @Ctx() ctx: AdminContext,
  ): Promise<TotpSetup> {
    return ctx.admin.enrolment.startReplacement(staffOf(ctx), password, currentCode, ctx.ip);
  }

  @Authorized()
  @Mutation(() => StaffUser, { description: "Installs the authenticator startTotpSetup showed; your other sessions end" })
  confirmTotpSetup(@Arg("code", () => String) code: string, @Ctx() ctx: AdminContext): Promise<StaffUser> {
    return ctx.admin.enrolment.confirmReplacement(staffOf(ctx), code, ctx.ip, ctx.sessionId);
  }
}

/** A sign-in's answer; on OK the cookie replaces whatever session this browser had. */
async function answer(ctx: AdminContext, outcome: LoginOutcome): Promise<LoginResult> {
  if (outcome.status === "OK") {
    if (!ctx.reply) throw new Error("signing in needs an HTTP reply to set its cookie");
    if (ctx.sessionId) await ctx.admin.sessions.revoke(ctx.sessionId);
    setSessionCookie(ctx.reply, outcome.token!, ctx.admin.config.admin);
  }
  return { status: outcome.status as LoginStatus, user: outcome.staff ?? null };
}
