/**
 * Verifications waiting for their code, and codes ready to be typed back. Codes are read off
 * the vendor stand-in (what the "phone" received), never from the gateway: the benchmark's
 * verifyOtp is exactly what an end user's would be.
 */
export class CodePool {
  /** destination → verification id, until its code arrives. */
  private readonly waiting = new Map<string, string>();
  private readonly ready: Array<{ id: string; destination: string; code: string }> = [];
  private cursor = 0;

  constructor(private readonly codesUrl: string) {}

  requested(destination: string, id: string): void {
    this.waiting.set(destination, id);
  }

  take(): { id: string; destination: string; code: string } | undefined {
    return this.ready.pop();
  }

  get readyCount(): number {
    return this.ready.length;
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Pulls newly received messages from the vendor stand-in and pairs them with their verification. */
  async poll(): Promise<void> {
    const res = await fetch(`${this.codesUrl}?since=${this.cursor}`);
    const body = (await res.json()) as { next: number; items: Array<[string, string]> };
    this.cursor = body.next;
    for (const [to, code] of body.items) {
      const id = this.waiting.get(to);
      if (!id) continue;
      this.waiting.delete(to);
      this.ready.push({ id, destination: to, code });
    }
  }

  /** Polls until at least `n` codes are ready or nothing new arrives for `quietMs`. */
  async fill(n: number, quietMs = 3000): Promise<number> {
    let last = this.readyCount;
    let quietSince = Date.now();
    while (this.readyCount < n && Date.now() - quietSince < quietMs) {
      await new Promise((r) => setTimeout(r, 100));
      await this.poll();
      if (this.readyCount !== last) {
        last = this.readyCount;
        quietSince = Date.now();
      }
    }
    return this.readyCount;
  }
}

/** The same for better-auth: its sendOTP keeps (phone, code) pairs, served on its bench side door. */
export class PeerCodePool {
  private readonly ready: Array<[string, string]> = [];
  private cursor = 0;

  constructor(private readonly codesUrl: string) {}

  take(): [string, string] | undefined {
    return this.ready.pop();
  }

  get readyCount(): number {
    return this.ready.length;
  }

  async poll(): Promise<void> {
    const body = (await (await fetch(`${this.codesUrl}?since=${this.cursor}`)).json()) as { next: number; items: Array<[string, string]> };
    this.cursor = body.next;
    this.ready.push(...body.items);
  }
}
