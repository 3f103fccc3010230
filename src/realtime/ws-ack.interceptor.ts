import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import type { ChatSocket } from './connection-registry';
import { encodeFrame } from './events';
import type { ClientFrame } from './ws-frame';

/**
 * Turns a handler's return value into `{"type":"ack","id":…,"payload":…}` for frames that carry an
 * `id`; frames without an id get no ack. Handlers never write acks themselves.
 */
@Injectable()
export class WsAckInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<undefined> {
    const client = context.switchToWs().getClient<ChatSocket>();
    const frame = context.switchToWs().getData<ClientFrame>();
    return next.handle().pipe(
      map((result: unknown) => {
        if (frame.id !== undefined && result !== undefined && client.readyState === 1) {
          client.send(encodeFrame('ack', result, String(frame.id)));
        }
        return undefined;
      }),
    );
  }
}
