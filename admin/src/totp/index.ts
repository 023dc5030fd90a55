import SecurityIcon from "@mui/icons-material/AppShortcut";
import { lazyPage } from "../common/lazyPage";

export default {
  list: lazyPage(() => import("./TotpFactorList"), "TotpFactorList"),
  show: lazyPage(() => import("./TotpFactorShow"), "TotpFactorShow"),
  icon: SecurityIcon,
  options: { label: "Authenticators" },
};
