import ListAltIcon from "@mui/icons-material/ListAlt";
import { DeliveryList } from "./DeliveryList";

export default { list: DeliveryList, icon: ListAltIcon, options: { label: "Delivery log" } };
