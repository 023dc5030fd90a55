import { useQuery } from "@tanstack/react-query";
import { useDataProvider, usePermissions } from "react-admin";
import type { AdminDataProvider } from "../dataProvider";
import type { Permissions } from "../authProvider";

export const useAdminData = () => useDataProvider<AdminDataProvider>();

/** App names for filters (any role: SUPPORT filters by app without managing apps). */
export function useAppChoices() {
  const dp = useAdminData();
  const { data } = useQuery({ queryKey: ["appOptions"], queryFn: () => dp.appOptions(), staleTime: 60_000 });
  return data ?? [];
}

/** The gateway's channels (its enum, served by the admin API), as select choices: a new channel appears without a dashboard change. */
export function useChannelChoices() {
  const dp = useAdminData();
  const { data } = useQuery({ queryKey: ["channels"], queryFn: () => dp.channels(), staleTime: 60 * 60_000 });
  return (data ?? []).map((id) => ({ id, name: id }));
}

export function useRole() {
  const { permissions } = usePermissions<Permissions>();
  return permissions?.role;
}
