import AppsIcon from "@mui/icons-material/Apps";
import { lazyPage } from "../common/lazyPage";

export default {
  recordRepresentation: "name",
  list: lazyPage(() => import("./AppList"), "AppList"),
  show: lazyPage(() => import("./AppShow"), "AppShow"),
  create: lazyPage(() => import("./AppCreate"), "AppCreate"),
  edit: lazyPage(() => import("./AppEdit"), "AppEdit"),
  icon: AppsIcon,
  options: { label: "Apps & keys" },
};
