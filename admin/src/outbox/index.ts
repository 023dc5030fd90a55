import InboxIcon from "@mui/icons-material/Inbox";
import { OutboxList } from "./OutboxList";

export default { list: OutboxList, icon: InboxIcon, options: { label: "Outbox (dev)" } };
