import InboxIcon from "@mui/icons-material/Inbox";
import { lazyPage } from "../common/lazyPage";

export default {
  list: lazyPage(() => import("./OutboxList"), "OutboxList"),
  icon: InboxIcon,
  options: { label: "Outbox (dev)" },
};
