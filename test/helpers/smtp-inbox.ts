import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import { waitFor, notify, type Waiter } from "../fakes/fake-http";

export interface SmtpInboxOptions {
  /** When set, AUTH is required and only these credentials pass (no TLS: allowInsecureAuth). */
  credentials?: { user: string; pass: string };
  /** Recipients refused at RCPT TO with a 550 that quotes the address, as real relays do. */
  rejectRecipient?: (address: string) => boolean;
}

/**
 * A real SMTP server (smtp-server) that keeps every message it accepts, parsed with mailparser,
 * so tests read an e-mail the way a mail client would. No TLS: the gateway connects with
 * `smtp://…?ignoreTLS=true`.
 */
export class SmtpInbox {
  readonly messages: ParsedMail[] = [];
  private readonly waiters: Waiter<ParsedMail>[] = [];
  private server!: SMTPServer;
  private port = 0;

  static async start(opts: SmtpInboxOptions = {}): Promise<SmtpInbox> {
    const inbox = new SmtpInbox();
    inbox.server = new SMTPServer({
      authOptional: !opts.credentials,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _session, cb) {
        if (opts.credentials && auth.username === opts.credentials.user && auth.password === opts.credentials.pass) return cb(null, { user: auth.username });
        cb(new Error("Invalid username or password"));
      },
      onRcptTo(address, _session, cb) {
        if (!opts.rejectRecipient?.(address.address)) return cb();
        cb(Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`), { responseCode: 550 }));
      },
      onData(stream, _session, cb) {
        simpleParser(stream).then(
          (mail) => {
            inbox.messages.push(mail);
            notify(inbox.waiters, mail);
            cb();
          },
          (err: Error) => cb(err),
        );
      },
    });
    await new Promise<void>((resolve) => inbox.server.listen(0, "127.0.0.1", resolve));
    inbox.port = (inbox.server.server.address() as AddressInfo).port;
    return inbox;
  }

  /** SMTP_URL for the gateway: plain SMTP, no STARTTLS. */
  url(credentials?: { user: string; pass: string }): string {
    const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@` : "";
    return `smtp://${auth}127.0.0.1:${this.port}?ignoreTLS=true`;
  }

  waitForMessage(pred: (m: ParsedMail) => boolean = () => true, timeoutMs = 5000): Promise<ParsedMail> {
    return waitFor(this.messages, this.waiters, pred, timeoutMs, "e-mail");
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The addresses a parsed message was sent to. */
export function recipients(m: ParsedMail): string[] {
  const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ""));
}
