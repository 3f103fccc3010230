import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { ChatSocket } from './connection-registry';
import { WsDispatcher } from './ws-dispatcher';

/**
 * The gateway's WebSocket adapter: @nestjs/platform-ws's WsAdapter (the `ws` server, upgrades,
 * connection and close events) with one change: each socket's frames go straight to
 * {@link WsDispatcher} through one plain `message` listener, instead of a per-socket rxjs stream
 * feeding Nest's per-frame handler proxies (the gateway declares its frames in a route table, not
 * with `@SubscribeMessage`).
 */
export class ChatWsAdapter extends WsAdapter {
  private dispatcher: WsDispatcher | undefined;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  /** Called by Nest once per new socket, right after the gateway's `handleConnection`. */
  override bindMessageHandlers(client: ChatSocket): void {
    // Resolved on the first connection: the adapter is made before the application is initialised.
    this.dispatcher ??= this.app.get<WsDispatcher>(WsDispatcher);
    const dispatcher = this.dispatcher;
    client.on('message', (data: Buffer) => dispatcher.dispatch(client, data));
  }
}
