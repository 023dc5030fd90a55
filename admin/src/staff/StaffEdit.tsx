import { BooleanInput, Edit, PasswordInput, SaveButton, SelectInput, SimpleForm, TextField, Toolbar, minLength } from "react-admin";
import { ROLES } from "../common/choices";

/** Role, disabling, authenticator reset, new password: each ends the user's sessions and is audited. */
export function StaffEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list">
      <SimpleForm toolbar={<Toolbar><SaveButton /></Toolbar>}>
        <TextField source="email" />
        <SelectInput source="role" choices={ROLES} />
        <BooleanInput source="disabled" />
        <BooleanInput source="resetTotp" label="Reset their authenticator (they enroll again)" />
        <PasswordInput source="password" label="New password (leave empty to keep)" validate={minLength(12)} />
      </SimpleForm>
    </Edit>
  );
}
