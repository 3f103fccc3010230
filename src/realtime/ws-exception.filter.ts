import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { AppError } from '../common/errors/app-error';
import { ERRORS } from '../common/errors/error-codes';
import { safeError } from '../common/filters/http-exception.filter';
import type { ChatSocket } from './connection-registry';
import { encodeFrame } from './events';
import type { ClientFrame } from './ws-frame';
import { recorder } from '../metrics/recorder';

/**
 * Gateway exception filter: every failure of a handler becomes an `error` frame
 * (`{code, message, details?, retry_after_ms?}`, echoing the frame's id) and the connection stays
 * open. Unknown errors are logged and reported as INTERNAL_ERROR with nothing internal.
 */
@Catch()
export class WsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('WsExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<ChatSocket>();
    const frame = host.switchToWs().getData<ClientFrame | undefined>();
    if (client.readyState !== 1) return;
    let payload: { code: string; message: string; details?: unknown; retry_after_ms?: number };
    if (exception instanceof AppError) {
      payload = { code: exception.code, message: exception.message };
      if (exception.details?.length) payload.details = exception.details;
      if (exception.retryAfterSeconds !== undefined) payload.retry_after_ms = Math.ceil(exception.retryAfterSeconds * 1000);
    } else if (exception instanceof WsException) {
      payload = { code: 'FORBIDDEN', message: ERRORS.FORBIDDEN.message };
    } else {
      this.logger.error({ err: safeError(exception), connection: client.chat?.id }, 'gateway handler failed');
      payload = { code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message };
    }
    recorder.error(payload.code);
    client.send(encodeFrame('error', payload, frame?.id !== undefined ? String(frame.id) : undefined));
  }
}
