import { badInput } from "../../errors";

/** react-admin's list conventions: 1-based page, perPage, a sort field and ASC/DESC. */
export interface PageArgs { page: number; perPage: number; sortField?: string | null; sortOrder?: string | null }

export const MAX_PER_PAGE = 500;
/** Past this, OFFSET only makes Postgres count rows to skip: narrow the filter instead. */
export const MAX_PAGE = 100_000;

/** Collects WHERE conditions with numbered parameters, so filters never concatenate input into SQL. */
export class Where {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];

  /** Adds `sql`, in which `?` stands for the value's parameter. */
  add(sql: string, value: unknown): this {
    const n = this.params.push(value);
    this.parts.push(sql.replaceAll("?", `$${n}`));
    return this;
  }

  raw(sql: string): this {
    this.parts.push(sql);
    return this;
  }

  param(value: unknown): string {
    return `$${this.params.push(value)}`;
  }

  get clause(): string {
    return this.parts.length ? `WHERE ${this.parts.join(" AND ")}` : "";
  }
}

/** The paging every list takes, checked the same way everywhere: BAD_USER_INPUT naming the argument. */
export function checkPage(args: PageArgs): void {
  if (!Number.isInteger(args.page) || args.page < 1 || args.page > MAX_PAGE) throw badInput("page", `page is 1 to ${MAX_PAGE}`);
  if (!Number.isInteger(args.perPage) || args.perPage < 1 || args.perPage > MAX_PER_PAGE) throw badInput("perPage", `perPage is 1 to ${MAX_PER_PAGE}`);
  if (args.sortOrder != null && args.sortOrder !== "ASC" && args.sortOrder !== "DESC") throw badInput("sortOrder", "sortOrder is ASC or DESC");
}

/** ORDER BY … LIMIT … OFFSET … from a whitelist of sortable fields (unknown fields use the default). */
export function pageSql(args: PageArgs, sorts: Record<string, string>, defaultField: string, where: Where, tiebreak: string): string {
  checkPage(args);
  const column = sorts[args.sortField ?? ""] ?? sorts[defaultField];
  const dir = args.sortOrder === "ASC" ? "ASC" : "DESC";
  return `ORDER BY ${column} ${dir} NULLS LAST, ${tiebreak} ${dir} LIMIT ${where.param(args.perPage)} OFFSET ${where.param((args.page - 1) * args.perPage)}`;
}

/** Escapes LIKE wildcards in user text. */
export const likeEscape = (s: string) => s.replace(/[%_\\]/g, "\\$&");
