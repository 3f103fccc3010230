import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** One revocation: a single access token (`jti`) or a whole session (`sid`), valid until `expiresAtMs`. */
export interface RevocationEvent {
  kind: 'jti' | 'sid';
  id: string;
  userId: string | null;
  /** Epoch ms after which no access token it affects can still be valid. */
  expiresAtMs: number;
}

/**
 * Carries revocations to every part of every instance that must react (the in-memory blacklist, the
 * gateway closing sockets). This abstract class is the injection token and the whole contract;
 * {@link InProcessRevocationBus} serves a single instance today, and a backplane implementation (for
 * example Redis pub/sub, delivering each event to every instance including the publisher) can be
 * bound in its place without touching a subscriber.
 */
export abstract class RevocationBus {
  /** Delivers the event to every subscriber, on every instance. Must not throw. */
  abstract publish(event: RevocationEvent): void;

  /** Registers a handler for events from every instance; returns a function that removes it. */
  abstract subscribe(handler: (event: RevocationEvent) => void): () => void;
}

/** The single-instance bus: a synchronous in-process event emitter. */
@Injectable()
export class InProcessRevocationBus extends RevocationBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    super();
    // One subscriber per gateway/blacklist instance; tests boot several apps in one process.
    this.emitter.setMaxListeners(0);
  }

  /** Calls every handler synchronously, so the revocation holds before the caller's response. */
  publish(event: RevocationEvent): void {
    this.emitter.emit('revoked', event);
  }

  /** Registers a handler; returns a function that removes it. */
  subscribe(handler: (event: RevocationEvent) => void): () => void {
    this.emitter.on('revoked', handler);
    return () => this.emitter.off('revoked', handler);
  }
}
