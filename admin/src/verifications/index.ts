import PhoneIcon from "@mui/icons-material/PhonelinkRing";
import { lazyPage } from "../common/lazyPage";

export default {
  list: lazyPage(() => import("./VerificationList"), "VerificationList"),
  show: lazyPage(() => import("./VerificationShow"), "VerificationShow"),
  icon: PhoneIcon,
  options: { label: "Verifications" },
};
