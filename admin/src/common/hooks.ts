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

export function useRole() {
  const { permissions } = usePermissions<Permissions>();
  return permissions?.role;
}
