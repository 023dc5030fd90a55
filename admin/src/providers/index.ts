import HubIcon from "@mui/icons-material/Hub";
import { lazyPage } from "../common/lazyPage";

export default {
  list: lazyPage(() => import("./ProviderList"), "ProviderList"),
  icon: HubIcon,
  options: { label: "Providers" },
};
