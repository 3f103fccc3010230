import { Injectable } from '@nestjs/common';

/**
 * Counts gateway frames being handled, so shutdown can wait for in-flight sends to commit (and be
 * acked) before closing sockets, and refuse new work while it waits.
 */
@Injectable()
export class WsDrain {
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  /** True once shutdown has begun: new connections and frames are refused. */
  draining = false;

  begin(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.waiters.splice(0).forEach((w) => w());
  }

  /** Resolves when no frame is in flight, or after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    await Promise.race([new Promise<void>((r) => this.waiters.push(r)), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }
}
