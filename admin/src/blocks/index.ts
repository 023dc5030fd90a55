import BlockIcon from "@mui/icons-material/Block";
import { BlockList } from "./BlockList";

export default { list: BlockList, icon: BlockIcon, options: { label: "Rate-limit blocks" } };
