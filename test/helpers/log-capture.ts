import { Writable } from "node:stream";

/** Collects every log line a gateway writes, to assert on (e.g. that no code or key ever appears). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString().split("\n").filter(Boolean));
    done();
  }

  get text(): string {
    return this.lines.join("\n");
  }

  /** Bodies the outbox provider printed, oldest first. */
  outboxBodies(): string[] {
    return this.lines.map((l) => JSON.parse(l)).filter((l) => l.outbox).map((l) => l.outbox.body as string);
  }
}
