import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { staffOf, type AdminContext } from "../context";
import { clearSessionCookie, setSessionCookie } from "../http/cookies";
import { LoginResult, LoginStatus, StaffUser, TotpSetup } from "../types/staff.types";

/** Signing in and out, and enrolling an authenticator. The only operations open without a session. */
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
    const outcome = await ctx.admin.login.login({ email, password, totpCode }, ctx.ip, ctx.userAgent);
    if (outcome.status === "OK") {
      if (!ctx.reply) throw new Error("login needs an HTTP reply to set its cookie");
      if (ctx.sessionId) await ctx.admin.sessions.revoke(ctx.sessionId);
      setSessionCookie(ctx.reply, outcome.token!, ctx.admin.config.admin);
    }
    return { status: outcome.status as LoginStatus, user: outcome.staff ?? null, totpSetupUri: outcome.totpSetupUri ?? null };
  }

  @Mutation(() => Boolean, { description: "Ends this session" })
  async logout(@Ctx() ctx: AdminContext): Promise<boolean> {
    if (ctx.sessionId) await ctx.admin.sessions.revoke(ctx.sessionId);
    if (ctx.reply) clearSessionCookie(ctx.reply, ctx.admin.config.admin);
    return true;
  }

  @Authorized()
  @Mutation(() => TotpSetup, { description: "Starts enrolling an authenticator: scan the URI, then confirmTotpSetup with a code" })
  async startTotpSetup(@Ctx() ctx: AdminContext): Promise<TotpSetup> {
    return { uri: await ctx.admin.login.startTotpSetup(staffOf(ctx)) };
  }

  @Authorized()
  @Mutation(() => StaffUser)
  confirmTotpSetup(@Arg("code", () => String) code: string, @Ctx() ctx: AdminContext): Promise<StaffUser> {
    return ctx.admin.login.confirmTotpSetup(staffOf(ctx), code, ctx.ip);
  }
}
