import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ERRORS } from '../common/errors/error-codes';
import { safeError } from '../common/filters/http-exception.filter';
import { ConnectionLifecycle } from './connection-lifecycle';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { recorder } from '../metrics/recorder';
import { encodeFrame } from './events';
import type { ClientFrame } from './ws-frame';

/**
 * The gateway's exception filter (called by {@link WsDispatcher} for every failed frame): every
 * failure becomes an `error` frame (`{code, message, details?, retry_after_ms?}`, echoing the frame's
 * id), sent through the registry's one send path, and the connection stays open. Unknown errors are
 * logged and reported as INTERNAL_ERROR with nothing internal.
 */
@Catch()
export class WsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('WsExceptionFilter');

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
  ) {}

  /** Answers the frame with the error frame for `exception` and marks the frame answered. Never throws. */
  catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<ChatSocket>();
    const frame = host.switchToWs().getData<ClientFrame>();
    try {
      let payload: { code: string; message: string; details?: unknown; retry_after_ms?: number };
      if (exception instanceof AppError) {
        payload = { code: exception.code, message: exception.message };
        if (exception.details?.length) payload.details = exception.details;
        if (exception.retryAfterSeconds !== undefined) payload.retry_after_ms = Math.ceil(exception.retryAfterSeconds * 1000);
      } else {
        this.logger.error({ err: safeError(exception), connection: client.chat?.id }, 'gateway handler failed');
        payload = { code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message };
      }
      recorder.error(payload.code);
      this.registry.send(client, encodeFrame('error', payload, frame.id !== undefined ? String(frame.id) : undefined));
    } finally {
      this.lifecycle.answered(client, frame);
    }
  }
}
