/** How long an event waits for a missing lower seq of its room before being delivered anyway, in ms. */
export const REORDER_WAIT_MS = 200;

interface RoomOrder {
  expected: number;
  held: Map<number, () => void>;
  timer: NodeJS.Timeout | undefined;
  touchedMs: number;
}

/**
 * Delivers each room's events in seq order. Commits of concurrent sends (and, with several instances,
 * their trip through the backplane) can finish out of order; an event whose seq is ahead of the next
 * expected one is held until the gap fills, or for at most {@link REORDER_WAIT_MS}.
 */
export class RoomOrderBuffer {
  private readonly rooms = new Map<string, RoomOrder>();
  private lastSweepMs = Date.now();

  /** Runs `deliver` now or once every lower seq of the room has been delivered (or waited for). */
  push(roomId: string, seq: number, deliver: () => void, nowMs = Date.now()): void {
    this.sweep(nowMs);
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { expected: seq, held: new Map(), timer: undefined, touchedMs: nowMs };
      this.rooms.set(roomId, room);
    }
    room.touchedMs = nowMs;
    if (seq < room.expected) {
      deliver(); // late (after a flush) or a repeat: nothing to wait for
      return;
    }
    room.held.set(seq, deliver);
    this.drain(room);
    if (room.held.size > 0 && !room.timer) {
      room.timer = setTimeout(() => this.flush(roomId), REORDER_WAIT_MS);
      room.timer.unref();
    }
  }

  /** Forgets every room (shutdown). */
  clear(): void {
    for (const room of this.rooms.values()) if (room.timer) clearTimeout(room.timer);
    this.rooms.clear();
  }

  private drain(room: RoomOrder): void {
    for (let next = room.held.get(room.expected); next; next = room.held.get(room.expected)) {
      room.held.delete(room.expected);
      room.expected++;
      next();
    }
    if (room.held.size === 0 && room.timer) {
      clearTimeout(room.timer);
      room.timer = undefined;
    }
  }

  /** The gap did not fill in time: deliver what is held, in order, and move past it. */
  private flush(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.timer = undefined;
    const seqs = [...room.held.keys()].sort((a, b) => a - b);
    for (const seq of seqs) {
      const deliver = room.held.get(seq)!;
      room.held.delete(seq);
      room.expected = seq + 1;
      deliver();
    }
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    for (const [roomId, room] of this.rooms) if (room.held.size === 0 && nowMs - room.touchedMs > 60_000) this.rooms.delete(roomId);
  }
}
