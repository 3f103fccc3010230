/**
 * Where `sync` starts for one room: the highest counter value S such that every change up to S
 * (new message, edit, delete, reaction: each takes the next value of the room's counter) is held.
 * A live change that arrives after a gap (frames lost with a dropped connection) is remembered but
 * does not move the cursor until the gap is filled, so the next sync still asks for the gap.
 */
export class SyncCursor {
  private readonly ahead = new Set<number>();

  constructor(private current = 0) {}

  /** Every change up to this counter value is held. */
  get value(): number {
    return this.current;
  }

  /** One change with counter value `n` was applied (a live event). */
  saw(n: number): void {
    if (!Number.isInteger(n) || n <= this.current) return;
    this.ahead.add(n);
    this.settle();
  }

  /** Everything up to `n` is held (a complete sync answer, or a freshly loaded page). */
  advanceTo(n: number): void {
    if (!Number.isInteger(n) || n <= this.current) return;
    this.current = n;
    for (const k of this.ahead) if (k <= n) this.ahead.delete(k);
    this.settle();
  }

  private settle(): void {
    while (this.ahead.delete(this.current + 1)) this.current++;
  }
}
