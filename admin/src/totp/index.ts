import SecurityIcon from "@mui/icons-material/AppShortcut";
import { TotpFactorList } from "./TotpFactorList";
import { TotpFactorShow } from "./TotpFactorShow";

export default { list: TotpFactorList, show: TotpFactorShow, icon: SecurityIcon, options: { label: "Authenticators" } };
