import { Edit } from "react-admin";
import { AppForm } from "./AppForm";

/** Editing settings; each change is audited with the app before and after. */
export function AppEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show">
      <AppForm />
    </Edit>
  );
}
