import { SelectInput, type SelectInputProps } from "react-admin";
import { useChannelChoices } from "./hooks";

/** A channel picker whose choices come from the gateway's Channel enum (the admin API's `channels`). */
export function ChannelInput(props: Omit<SelectInputProps, "choices">) {
  const choices = useChannelChoices();
  return <SelectInput {...props} choices={choices} isLoading={choices.length === 0} />;
}
