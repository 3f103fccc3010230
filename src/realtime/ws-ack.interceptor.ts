import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { finalize, map, Observable, tap, throwError } from 'rxjs';
import { AppError } from '../common/errors/app-error';
import { ConnectionLifecycle } from './connection-lifecycle';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { encodeFrame } from './events';
import type { ClientFrame } from './ws-frame';
import { WsDrain } from './ws-drain';

/**
 * Turns a handler's return value into `{"type":"ack","id":…,"payload":…}` for frames that carry an
 * `id`; frames without an id get no ack. Handlers never write acks themselves.
 */
@Injectable()
export class WsAckInterceptor implements NestInterceptor {
  constructor(
    private readonly drain: WsDrain,
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
  ) {}

  /**
   * Also counts the frame as in flight, so shutdown waits for it; refuses new frames while draining.
   * A frame that succeeded is marked answered here; one that failed, by the exception filter once its
   * error frame is out.
   */
  intercept(context: ExecutionContext, next: CallHandler): Observable<undefined> {
    const client = context.switchToWs().getClient<ChatSocket>();
    const frame = context.switchToWs().getData<ClientFrame>();
    if (this.drain.draining) return throwError(() => new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; reconnect shortly.'));
    this.drain.begin();
    return next.handle().pipe(
      finalize(() => this.drain.end()),
      map((result: unknown) => {
        if (frame.id !== undefined && result !== undefined) this.registry.send(client, encodeFrame('ack', result, String(frame.id)));
        return undefined;
      }),
      tap({ complete: () => this.lifecycle.answered(client, frame) }),
    );
  }
}
