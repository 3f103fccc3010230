import { AppError } from '../errors/app-error';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './bounded-json';

/**
 * A JSON request body as received: the text, not parsed yet. The content-type parser stores this and
 * the validation pipe parses it when it binds `@Body()`, after the guards, so a request that ends in
 * 401 or 429 never pays for parsing (nor a hostile body's depth scan). Parsing there rather than in a
 * global interceptor keeps Nest's interceptor chain (an rxjs stream and an async-context binding per
 * request) off every route; a body sent to a route that binds none is never parsed.
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
