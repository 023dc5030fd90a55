import { SelectInput } from "react-admin";
import { useAppChoices } from "./hooks";

/** "Which app" for list filters, from the app names every staff role may read. */
export function AppFilterInput(props: { source?: string; alwaysOn?: boolean }) {
  const choices = useAppChoices();
  return <SelectInput source={props.source ?? "appId"} label="App" choices={choices} optionText="name" optionValue="id" />;
}
