import PaidIcon from "@mui/icons-material/Paid";
import { lazyPage } from "../common/lazyPage";

/** A page, not a list of records: react-admin's resource gives it a menu entry and a route (#/spend). */
export default {
  list: lazyPage(() => import("./SpendPage"), "SpendPage"),
  icon: PaidIcon,
  options: { label: "Spend & conversion" },
};
