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
 * gateway closing sockets). This in-process implementation serves one instance; a backplane
 * implementation (Redis) can replace it behind the same class token.
 */
@Injectable()
export class RevocationBus {
  private readonly emitter = new EventEmitter();

  /** Delivers the event to every subscriber (on all instances, for a backplane implementation). */
  publish(event: RevocationEvent): void {
    this.emitter.emit('revoked', event);
  }

  /** Registers a handler; returns a function that removes it. */
  subscribe(handler: (event: RevocationEvent) => void): () => void {
    this.emitter.on('revoked', handler);
    return () => this.emitter.off('revoked', handler);
  }
}
