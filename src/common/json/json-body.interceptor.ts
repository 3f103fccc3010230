import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { AppError } from '../errors/app-error';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './bounded-json';

/**
 * A JSON request body as received: the text, not parsed yet. The content-type parser stores this and
 * {@link JsonBodyInterceptor} parses it once the guards have passed, so a request that ends in 401 or
 * 429 never pays for parsing (nor a hostile body's depth scan).
 */
export class PendingJsonBody {
  /**
   * @param text the raw body text (non-empty)
   * @param parse the secure JSON parser (prototype-poisoning protection), throwing on bad JSON
   */
  constructor(
    readonly text: string,
    private readonly parse: (text: string) => unknown,
  ) {}

  /**
   * The parsed body.
   * @throws AppError VALIDATION_FAILED when it nests deeper than {@link MAX_JSON_DEPTH} (decided by a
   *   linear scan before parsing), INVALID_JSON when it is not JSON.
   */
  resolve(): unknown {
    if (exceedsJsonDepth(this.text, MAX_JSON_DEPTH)) {
      throw new AppError('VALIDATION_FAILED', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, [
        { field: 'body', problem: `must not nest arrays or objects deeper than ${MAX_JSON_DEPTH} levels` },
      ]);
    }
    try {
      return this.parse(this.text);
    } catch {
      throw new AppError('INVALID_JSON');
    }
  }
}

/**
 * Global interceptor that turns a {@link PendingJsonBody} into the parsed body. Interceptors run after
 * the guards (authentication, rate limits) and before the pipes that validate `@Body()`.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      if (request.body instanceof PendingJsonBody) request.body = request.body.resolve();
    }
    return next.handle();
  }
}
