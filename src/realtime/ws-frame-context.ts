import type { ExecutionContext, Type } from '@nestjs/common';
import type { HttpArgumentsHost, RpcArgumentsHost, WsArgumentsHost } from '@nestjs/common/interfaces';
import type { ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';

/**
 * Nest's ExecutionContext for one WebSocket frame, as WsDispatcher hands it to the gateway's guards
 * and exception filter: `switchToWs()` gives the socket (`getClient`) and the parsed frame
 * (`getData`), `getHandler()` the route's handler (for handler metadata such as ROOM_SCOPED_KEY).
 * One plain object per frame with its methods on the prototype (Nest's own context host allocates
 * closures on every `switchToWs()`).
 */
export class WsFrameContext implements ExecutionContext, WsArgumentsHost {
  constructor(
    private readonly client: ChatSocket,
    private readonly frame: ClientFrame,
    private readonly gateway: Type<unknown>,
    private readonly handler: (...args: never[]) => unknown,
  ) {}

  getClass<T = unknown>(): Type<T> {
    return this.gateway as Type<T>;
  }

  getHandler(): (...args: never[]) => unknown {
    return this.handler;
  }

  getArgs<T extends unknown[] = unknown[]>(): T {
    return [this.client, this.frame] as T;
  }

  getArgByIndex<T = unknown>(index: number): T {
    return (index === 0 ? this.client : index === 1 ? this.frame : undefined) as T;
  }

  getType<T extends string = string>(): T {
    return 'ws' as T;
  }

  switchToWs(): WsArgumentsHost {
    return this;
  }

  /** @throws Error: a WebSocket frame has no HTTP request. */
  switchToHttp(): HttpArgumentsHost {
    throw new Error('a WebSocket frame has no HTTP context');
  }

  /** @throws Error: a WebSocket frame has no RPC context. */
  switchToRpc(): RpcArgumentsHost {
    throw new Error('a WebSocket frame has no RPC context');
  }

  getClient<T = ChatSocket>(): T {
    return this.client as T;
  }

  getData<T = ClientFrame>(): T {
    return this.frame as T;
  }

  getPattern(): string {
    return this.frame.type;
  }
}
