import AppsIcon from "@mui/icons-material/Apps";
import { AppCreate } from "./AppCreate";
import { AppEdit } from "./AppEdit";
import { AppList } from "./AppList";
import { AppShow } from "./AppShow";

export default { list: AppList, show: AppShow, create: AppCreate, edit: AppEdit, icon: AppsIcon, options: { label: "Apps & keys" } };
