import type { DataProvider } from "react-admin";
import { gql } from "../graphql";
import { appInput, RESOURCES, type ResourceDef } from "./resources";

function def(resource: string): ResourceDef {
  const d = RESOURCES[resource];
  if (!d) throw new Error(`Unknown resource ${resource}`);
  return d;
}

/** Filter values as the API wants them: no empty strings; date-only bounds become whole days. */
function cleanFilter(filter: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) {
    if (v === "" || v === undefined || v === null) continue;
    if ((k === "from" || k === "to") && typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
      const day = new Date(`${v}T00:00:00`);
      out[k] = (k === "to" ? new Date(day.getTime() + 86_400_000) : day).toISOString();
    } else out[k] = v;
  }
  return out;
}

async function list(resource: string, page: number, perPage: number, sortField: string | undefined, sortOrder: string | undefined, filter: Record<string, unknown>) {
  const d = def(resource);
  if (d.unpaged) {
    const data = await gql(`{ ${d.list} { total data { ${d.fields} } } }`);
    return data[d.list] as { data: any[]; total: number };
  }
  const data = await gql(
    `query($page: Int!, $perPage: Int!, $sortField: String, $sortOrder: String, $filter: ${d.filterType}) {
       ${d.list}(page: $page, perPage: $perPage, sortField: $sortField, sortOrder: $sortOrder, filter: $filter) { total data { ${d.fields} } } }`,
    { page, perPage, sortField, sortOrder, filter: cleanFilter(filter) },
  );
  return data[d.list] as { data: any[]; total: number };
}

/** The input fields of a record; empty strings mean "none". Test destinations travel without react-admin's bookkeeping. */
const pick = (o: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => k in o).map((k) => {
    const v = o[k] === "" ? null : o[k];
    if (k === "testDestinations" && Array.isArray(v)) return [k, v.map((t: any) => ({ destination: t.destination, code: t.code, outcome: t.outcome || null }))];
    return [k, v];
  }));

/**
 * react-admin's data provider over the admin API (ra-data-graphql-simple can't be installed
 * next to react-admin 5, so this is a small hand-written one), plus the dashboard's actions:
 * lifting a block, revealing a destination, rotating and revoking keys, the home's statistics.
 */
export const dataProvider = {
  async getList(resource, params) {
    const { page = 1, perPage = 25 } = params.pagination ?? {};
    return list(resource, page, perPage, params.sort?.field, params.sort?.order, params.filter);
  },
  async getOne(resource, params) {
    const d = def(resource);
    if (!d.one) throw new Error(`${resource} has no detail view`);
    const data = await gql(`query($id: ID!) { ${d.one}(id: $id) { ${d.oneFields ?? d.fields} } }`, { id: String(params.id) });
    if (!data[d.one]) throw new Error("Not found");
    return { data: data[d.one] };
  },
  async getMany(resource, params) {
    const d = def(resource);
    if (d.unpaged) return { data: (await list(resource, 1, 500, undefined, undefined, {})).data.filter((r) => params.ids.includes(r.id)) };
    return { data: (await list(resource, 1, Math.max(params.ids.length, 1), undefined, undefined, { ids: params.ids.map(String) })).data };
  },
  async getManyReference(resource, params) {
    const { page = 1, perPage = 25 } = params.pagination ?? {};
    return list(resource, page, perPage, params.sort?.field, params.sort?.order, { ...params.filter, [params.target]: params.id });
  },
  async create(resource, params) {
    const c = def(resource).create;
    if (!c) throw new Error(`${resource} can't be created here`);
    const input = resource === "apps" ? appInput(params.data) : params.data;
    const data = await gql(`mutation($input: ${c.inputType}!) { ${c.mutation}(input: $input) { ${c.result} } }`, { input });
    const result = data[c.mutation];
    // createApp answers { app, apiKey }: the key is shown once by the create page, never stored.
    return { data: result.app ? { ...result.app, apiKey: result.apiKey } : result };
  },
  async update(resource, params) {
    const d = def(resource);
    if (!d.update) throw new Error(`${resource} can't be edited`);
    const data = await gql(`mutation($id: ID!, $input: ${d.update.inputType}!) { ${d.update.mutation}(id: $id, input: $input) { ${d.fields} } }`, {
      id: String(params.id), input: resource === "apps" ? appInput(params.data) : pick(params.data, d.update.inputFields),
    });
    return { data: data[d.update.mutation] };
  },
  async updateMany() {
    throw new Error("Bulk edits are not supported");
  },
  async delete() {
    throw new Error("Nothing is deleted from the dashboard: revoke or disable instead");
  },
  async deleteMany() {
    throw new Error("Nothing is deleted from the dashboard: revoke or disable instead");
  },

  async liftBlock(id: string, reason: string) {
    return (await gql(`mutation($id: ID!, $reason: String!) { liftBlock(id: $id, reason: $reason) { id active liftedAt liftedBy liftReason } }`, { id, reason })).liftBlock;
  },
  async revokeTotpFactor(id: string, reason: string) {
    return (await gql(`mutation($id: ID!, $reason: String!) { revokeTotpFactor(id: $id, reason: $reason) { id status revokedAt } }`, { id, reason })).revokeTotpFactor;
  },
  async revealDestination(verificationId: string, reason: string): Promise<string> {
    const data = await gql(`mutation($id: ID!, $reason: String!) { revealDestination(verificationId: $id, reason: $reason) { destination } }`, { id: verificationId, reason });
    return data.revealDestination.destination;
  },
  async addKey(appId: string): Promise<{ apiKey: string }> {
    return (await gql(`mutation($appId: ID!) { addAppKey(appId: $appId) { apiKey } }`, { appId })).addAppKey;
  },
  /** Every key but the newest (the end of a rotation), or with `all` every key. */
  async revokeKeys(appId: string, all: boolean) {
    return (await gql(`mutation($appId: ID!, $all: Boolean!) { revokeAppKeys(appId: $appId, all: $all) { id } }`, { appId, all })).revokeAppKeys;
  },
  async revokeKey(appId: string, keyId: string) {
    return (await gql(`mutation($appId: ID!, $keyId: ID!) { revokeAppKey(appId: $appId, keyId: $keyId) { id } }`, { appId, keyId })).revokeAppKey;
  },
  async issueEnrolmentLink(staffId: string): Promise<{ url: string; expiresAt: string }> {
    return (await gql(`mutation($id: ID!) { issueEnrolmentLink(staffId: $id) { url expiresAt } }`, { id: staffId })).issueEnrolmentLink;
  },
  async appOptions(): Promise<Array<{ id: string; name: string }>> {
    return (await gql(`{ appOptions { id name } }`)).appOptions;
  },
  async channels(): Promise<string[]> {
    return (await gql(`{ channels }`)).channels;
  },
  async dashboard(days: number) {
    return (await gql(`query($days: Int!) { dashboard(days: $days) {
      unit totals { requested approved conversionRate attempts failed failureRate activeBlocks }
      sends { bucket requested approved conversionRate attempts failed }
      providerFailures { bucket provider channel attempts failed failureRate }
      blocks { bucket blocks } countries { country requested approved conversionRate } } }`, { days })).dashboard;
  },
  /** The "Spend & conversion" page: one report per grouping, in one request, all computed on the server (ADMIN only). */
  async spendAndConversion(from: string, to: string, appId: string | null): Promise<SpendPageData> {
    const row = `country channel provider appId appName day verifications approved conversionRate attempts pricedAttempts
      cost { amount currency } costPerVerified { amount currency } spendWithoutConversion`;
    const report = (alias: string, key: string, head = "") =>
      `${alias}: spendAndConversion(from: $from, to: $to, appId: $appId, groupBy: [${key}]) { ${head} rows { ${row} } }`;
    return gql(`query($from: DateTime!, $to: DateTime!, $appId: ID) {
      ${report("country", "COUNTRY", `lowConversionThreshold totals { ${row} }`)}
      ${report("channel", "CHANNEL")} ${report("provider", "PROVIDER")} ${report("app", "APP")} ${report("day", "DAY")} }`, { from, to, appId });
  },
} satisfies DataProvider & Record<string, unknown>;

export interface Money { amount: string; currency: string }
export interface SpendRow {
  country: string | null; channel: string | null; provider: string | null; appId: string | null; appName: string | null; day: string | null;
  verifications: number; approved: number; conversionRate: number; attempts: number; pricedAttempts: number;
  cost: Money[]; costPerVerified: Money[]; spendWithoutConversion: boolean;
}
export interface SpendPageData {
  country: { lowConversionThreshold: number; totals: SpendRow; rows: SpendRow[] };
  channel: { rows: SpendRow[] }; provider: { rows: SpendRow[] }; app: { rows: SpendRow[] }; day: { rows: SpendRow[] };
}

export type AdminDataProvider = typeof dataProvider;
