import BlockIcon from "@mui/icons-material/Block";
import { lazyPage } from "../common/lazyPage";

export default {
  list: lazyPage(() => import("./BlockList"), "BlockList"),
  icon: BlockIcon,
  options: { label: "Rate-limit blocks" },
};
