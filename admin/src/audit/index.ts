import HistoryIcon from "@mui/icons-material/History";
import { lazyPage } from "../common/lazyPage";

export default {
  list: lazyPage(() => import("./AuditList"), "AuditList"),
  icon: HistoryIcon,
  options: { label: "Audit log" },
};
