import HubIcon from "@mui/icons-material/Hub";
import { ProviderList } from "./ProviderList";

export default { list: ProviderList, icon: HubIcon, options: { label: "Providers" } };
