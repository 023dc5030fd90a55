import ListAltIcon from "@mui/icons-material/ListAlt";
import { lazyPage } from "../common/lazyPage";

export default {
  list: lazyPage(() => import("./DeliveryList"), "DeliveryList"),
  icon: ListAltIcon,
  options: { label: "Delivery log" },
};
