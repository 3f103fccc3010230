import { Injectable } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';

/** Who is online: a user is online while at least one of their connections is open. */
@Injectable()
export class PresenceService {
  constructor(private readonly registry: ConnectionRegistry) {}

  /** True while the user has a live WebSocket connection. */
  isOnline(userId: string): boolean {
    return this.registry.isConnected(userId);
  }
}
