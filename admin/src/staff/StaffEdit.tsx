import { BooleanInput, Edit, useRecordContext, PasswordInput, SaveButton, SelectInput, SimpleForm, TextField, Toolbar, minLength } from "react-admin";
import { ROLES } from "../common/choices";
import { EnrolmentLinkButton } from "./EnrolmentLinkButton";

/** The page names the person (their e-mail), not their record id. */
function StaffTitle() {
  const staff = useRecordContext<{ email: string }>();
  return <span data-testid="staff-title">{staff ? `Staff: ${staff.email}` : "Staff"}</span>;
}

/** Role, disabling, authenticator reset, new password: each ends the user's sessions and is audited. Enrolment links give them an authenticator. */
export function StaffEdit() {
  return (
    <Edit title={<StaffTitle />} mutationMode="pessimistic" redirect="list">
      <SimpleForm toolbar={<Toolbar><SaveButton /></Toolbar>}>
        <TextField source="email" />
        <SelectInput source="role" choices={ROLES} />
        <BooleanInput source="disabled" />
        <BooleanInput source="resetTotp" label="Remove their authenticator (they enrol again through a link)" />
        <PasswordInput source="password" label="New password (leave empty to keep)" validate={minLength(12)} />
        <EnrolmentLinkButton />
      </SimpleForm>
    </Edit>
  );
}
