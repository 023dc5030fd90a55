import { useState, type ReactNode } from "react";
import { Button, type ButtonProps } from "@mui/material";
import { useNotify, useRefresh } from "react-admin";
import { ReasonDialog } from "./ReasonDialog";

/**
 * The button of an audited action that needs a reason (lifting a block, revoking an
 * authenticator): it asks why (ReasonDialog), runs `action` with the reason, then says `done` and
 * reloads the page's data — or shows the server's refusal and leaves the dialog open to retry.
 */
export function ReasonActionButton(props: {
  label: string;
  icon: ReactNode;
  color?: ButtonProps["color"];
  variant?: ButtonProps["variant"];
  title: string;
  text: string;
  confirm: string;
  done: string;
  action(reason: string): Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  return (
    <>
      {/* In a list row the click is the button's, not the row's (which would expand it). */}
      <Button size="small" color={props.color} variant={props.variant} startIcon={props.icon} onClick={(e) => { e.stopPropagation(); setOpen(true); }}>
        {props.label}
      </Button>
      <ReasonDialog open={open} onClose={() => setOpen(false)} title={props.title} text={props.text} confirm={props.confirm}
        onConfirm={async (reason) => {
          try {
            await props.action(reason);
            notify(props.done, { type: "success" });
            setOpen(false);
            refresh();
          } catch (e) {
            notify((e as Error).message, { type: "error" });
          }
        }} />
    </>
  );
}
