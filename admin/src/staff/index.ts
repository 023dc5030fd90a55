import PeopleIcon from "@mui/icons-material/People";
import { lazyPage } from "../common/lazyPage";

export default {
  recordRepresentation: "email",
  list: lazyPage(() => import("./StaffList"), "StaffList"),
  create: lazyPage(() => import("./StaffCreate"), "StaffCreate"),
  edit: lazyPage(() => import("./StaffEdit"), "StaffEdit"),
  icon: PeopleIcon,
  options: { label: "Staff" },
};
