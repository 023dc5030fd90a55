import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { badInput, notFound } from "../../errors";
import { StaffRole } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { AuditFilter, AuditPage, AuditRecord } from "../types/audit.types";
import { checkPage } from "../queries/list-sql";
import { PageArgs } from "../types/page-args";
import { EnrolmentLink, StaffCreateInput, StaffFilter, StaffPage, StaffUpdateInput, StaffUser } from "../types/staff.types";

/** Staff users and the audit log. ADMIN only. */
@Authorized(StaffRole.ADMIN)
@Resolver()
export class StaffResolver {
  @Query(() => StaffPage)
  staffUsers(@Args(() => PageArgs) page: PageArgs, @Arg("filter", () => StaffFilter, { nullable: true }) filter: StaffFilter | null, @Ctx() ctx: AdminContext) {
    checkPage(page);
    return ctx.admin.staff.list({ ...page, q: filter?.q, role: filter?.role, ids: filter?.ids });
  }

  @Query(() => StaffUser, { nullable: true })
  staffUser(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext) {
    return ctx.admin.staff.get(id).catch(() => null);
  }

  @Mutation(() => StaffUser)
  async createStaff(@Arg("input", () => StaffCreateInput) input: StaffCreateInput, @Ctx() ctx: AdminContext): Promise<StaffUser> {
    const created = await ctx.admin.staff.create(input);
    await ctx.admin.audit.record({ actor: staffOf(ctx), action: "staff.create", targetType: "staff", targetId: created.id, ip: ctx.ip, after: created });
    return created;
  }

  @Mutation(() => StaffUser, { description: "Role, disabling, authenticator reset or a new password; a change to any of them ends the user's sessions" })
  async updateStaff(@Arg("id", () => ID) id: string, @Arg("input", () => StaffUpdateInput) input: StaffUpdateInput, @Ctx() ctx: AdminContext): Promise<StaffUser> {
    const before = await ctx.admin.staff.get(id);
    const losesAdmin = before.role === StaffRole.ADMIN && !before.disabled && ((input.role && input.role !== StaffRole.ADMIN) || input.disabled === true);
    if (losesAdmin && (await ctx.admin.staff.countActiveAdmins(id)) === 0) throw badInput("role", "The last active ADMIN can't be demoted or disabled");
    const after = await ctx.admin.staff.update(id, input);
    // A change to who someone is or how they sign in ends their sessions (an ADMIN editing
    // themselves keeps the session they are using).
    const securityChange = (input.role != null && input.role !== before.role) || input.disabled === true || input.password != null || input.resetTotp === true;
    if (securityChange) await ctx.admin.sessions.revokeAllOf(id, ctx.sessionId);
    // The snapshot says a password was set, never what it is.
    await ctx.admin.audit.record({
      actor: staffOf(ctx), action: "staff.update", targetType: "staff", targetId: id, ip: ctx.ip,
      before, after: { ...after, passwordChanged: input.password != null },
    });
    return after;
  }

  @Mutation(() => EnrolmentLink, { description: "A one-time link through which this person enrols an authenticator (with their password); revokes their earlier unused links. Audited." })
  issueEnrolmentLink(@Arg("staffId", () => ID) staffId: string, @Ctx() ctx: AdminContext): Promise<EnrolmentLink> {
    return ctx.admin.enrolment.issue(staffId, staffOf(ctx), ctx.ip);
  }

  @Query(() => AuditPage, { description: "Every staff action, newest first" })
  auditLog(@Args(() => PageArgs) page: PageArgs, @Arg("filter", () => AuditFilter, { nullable: true }) filter: AuditFilter | null, @Ctx() ctx: AdminContext) {
    checkPage(page);
    return ctx.admin.audit.list(filter ?? {}, page.page, page.perPage, page.sortField, page.sortOrder);
  }

  @Query(() => AuditRecord, { nullable: true })
  async auditEntry(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext) {
    const entry = await ctx.admin.audit.get(id);
    if (!entry) throw notFound("Audit entry not found");
    return entry;
  }
}
