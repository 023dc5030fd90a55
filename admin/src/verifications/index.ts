import PhoneIcon from "@mui/icons-material/PhonelinkRing";
import { VerificationList } from "./VerificationList";
import { VerificationShow } from "./VerificationShow";

export default { list: VerificationList, show: VerificationShow, icon: PhoneIcon, options: { label: "Verifications" } };
