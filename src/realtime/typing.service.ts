import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Backplane } from './backplane/backplane';
import { encodeFrame } from './events';

/** A typing state ends by itself this long after the last `typing` frame, in ms. */
export const TYPING_TTL_MS = 6000;
/** At most one relayed `typing` per user and room per this interval, in ms. */
export const TYPING_RELAY_INTERVAL_MS = 1000;

interface TypingState {
  timer: NodeJS.Timeout;
  lastRelayMs: number;
}

/**
 * Typing indicators, relayed to the other members of the room only (through the backplane). The
 * state lives on the instance the typist is connected to. A state expires after 6 s
 * without a refresh (the server then sends `stop_typing` itself, so nobody stays "typing…" after a
 * crash), and ends when the user sends a message or their last connection closes.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly states = new Map<string, TypingState>();

  constructor(private readonly backplane: Backplane) {}

  /** The user is typing in the room: relay (throttled to 1/s) and (re)arm the 6 s expiry. */
  typing(roomId: string, userId: string, nowMs = Date.now()): void {
    const key = `${roomId}:${userId}`;
    const state = this.states.get(key);
    if (state) clearTimeout(state.timer);
    const relay = !state || nowMs - state.lastRelayMs >= TYPING_RELAY_INTERVAL_MS;
    const timer = setTimeout(() => this.stop(roomId, userId), TYPING_TTL_MS);
    timer.unref();
    this.states.set(key, { timer, lastRelayMs: relay ? nowMs : state!.lastRelayMs });
    if (relay) this.relay(roomId, userId, 'typing');
  }

  /** The user stopped typing (explicitly, by sending, by expiry): `stop_typing` if they were typing. */
  stop(roomId: string, userId: string): void {
    const key = `${roomId}:${userId}`;
    const state = this.states.get(key);
    if (!state) return;
    clearTimeout(state.timer);
    this.states.delete(key);
    this.relay(roomId, userId, 'stop_typing');
  }

  /** Ends every typing state of a user (last connection closed). */
  stopAll(userId: string, rooms: Iterable<string>): void {
    for (const roomId of rooms) this.stop(roomId, userId);
  }

  onModuleDestroy(): void {
    for (const state of this.states.values()) clearTimeout(state.timer);
    this.states.clear();
  }

  /** To the other members of the room who have not blocked the typist, on every instance. */
  private relay(roomId: string, userId: string, type: 'typing' | 'stop_typing'): void {
    this.backplane.publish({ kind: 'room', roomId, type, data: encodeFrame(type, { room_id: roomId, user_id: userId }), exceptUserId: userId, authorId: userId });
  }
}
