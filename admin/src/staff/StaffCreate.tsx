import { Create, PasswordInput, SelectInput, SimpleForm, TextInput, email, minLength, required } from "react-admin";
import { ROLES } from "../common/choices";

export function StaffCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <TextInput source="email" validate={[required(), email()]} />
        <SelectInput source="role" choices={ROLES} validate={required()} />
        <PasswordInput source="password" validate={[required(), minLength(12)]} helperText="At least 12 characters; share it out of band" />
      </SimpleForm>
    </Create>
  );
}
