import { ArgumentMetadata, HttpException, Logger, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorDetail } from './app-error';
import { PendingJsonBody } from '../json/pending-json-body';

/** Flattens class-validator's nested errors into `{field, problem}` pairs with dotted paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // One problem per field: the first failed constraint is the one worth telling a person.
    const text = Object.values(error.constraints ?? {})[0];
    if (text !== undefined) {
      out.push({ field, problem: text.startsWith('property ') ? 'is not an accepted field' : text.replace(new RegExp(`^${error.property} `), '') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** Most `details` entries in one error response (a body with 100,000 unknown fields gets the first ones). */
export const MAX_ERROR_DETAILS = 20;

/** Builds the one AppError a failed validation becomes: 400 VALIDATION_FAILED with details. */
export function validationError(errors: ValidationError[]): AppError {
  const details = flattenValidationErrors(errors).slice(0, MAX_ERROR_DETAILS);
  const first = details[0];
  // A field may have an empty name (`{"": 1}`); the sentence still has to name it.
  const sentence = first ? `${first.field === '' ? '""' : first.field} ${first.problem}.` : 'The request is invalid.';
  return new AppError('VALIDATION_FAILED', sentence, details);
}

/**
 * Most fields of one JSON object in a request: no request of the API needs more than 200 (a `sync`
 * of 200 rooms), and class-transformer's cost grows with the square of an object's field count
 * (30,000 fields: seconds of event loop).
 */
export const MAX_OBJECT_FIELDS = 256;
/** Most values (objects, arrays, scalars) in one request body or payload; its walk is linear. */
export const MAX_INPUT_VALUES = 10_000;

/**
 * Why a parsed input is too big to transform and validate, or null. Objects over
 * MAX_OBJECT_FIELDS fields and inputs over MAX_INPUT_VALUES values are refused; the walk itself
 * stops at the first excess (depth is already bounded by the JSON parser).
 */
export function inputSizeProblem(input: unknown): { field: string; problem: string } | null {
  const stack: [unknown, string][] = [[input, '']];
  let values = 0;
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (++values > MAX_INPUT_VALUES) return { field: 'body', problem: `must not hold more than ${MAX_INPUT_VALUES} values` };
    if (typeof value !== 'object' || value === null) continue;
    // Parsed JSON holds plain objects and arrays only; anything else is not walked.
    if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) continue;
    if (Array.isArray(value)) {
      if (value.length > MAX_INPUT_VALUES) return { field: path || 'body', problem: `must not hold more than ${MAX_INPUT_VALUES} values` };
      for (let i = 0; i < value.length; i++) stack.push([value[i], `${path}[${i}]`]);
    } else {
      const keys = Object.keys(value);
      if (keys.length > MAX_OBJECT_FIELDS) return { field: path || 'body', problem: `must not have more than ${MAX_OBJECT_FIELDS} fields` };
      for (const key of keys) stack.push([(value as Record<string, unknown>)[key], path ? `${path}.${key}` : key]);
    }
  }
  return null;
}

/**
 * Nest's ValidationPipe with bounded work that never fails with anything but a 400: a JSON body
 * still in its text form ({@link PendingJsonBody}) is parsed here, the first step that needs it; inputs
 * too big to transform cheaply are refused first ({@link inputSizeProblem}); a validator or
 * transformer that throws on some input (validator.js throws URIError on lone surrogates, say) is a
 * bug to fix, but the client sent bad input, so it gets VALIDATION_FAILED, and the bug one warning line.
 */
class SafeValidationPipe extends ValidationPipe {
  private readonly logger = new Logger('ValidationPipe');

  /**
   * @throws AppError INVALID_JSON or VALIDATION_FAILED (see {@link PendingJsonBody.resolve}) for a
   *   body that is not JSON or nests too deep; VALIDATION_FAILED for input the DTO refuses.
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (value instanceof PendingJsonBody) value = value.resolve();
    // Only what the pipe will transform: parameters like the gateway's socket are never walked.
    const tooBig = this.toValidate(metadata) ? inputSizeProblem(value) : null;
    if (tooBig) throw new AppError('VALIDATION_FAILED', `${tooBig.field} ${tooBig.problem}.`, [tooBig]);
    // A DTO body is an object. Nest's pipe would read `null` as an empty object (passing wherever
    // every field is optional) and judge an array's fields before its type. No body at all stays
    // valid where every field is optional.
    if (metadata.type === 'body' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)) && this.toValidate(metadata)) {
      const field = metadata.data || 'body';
      throw new AppError('VALIDATION_FAILED', `${field} must be a JSON object.`, [{ field, problem: 'must be a JSON object' }]);
    }
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      if (err instanceof AppError || err instanceof HttpException) throw err;
      this.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message }, type: metadata.metatype?.name }, 'a validator threw');
      throw new AppError('VALIDATION_FAILED');
    }
  }
}

/**
 * The validation pipe used for HTTP bodies, queries and params and for WebSocket payloads:
 * unknown fields are rejected (not stripped) and values are transformed into their DTO types.
 */
export function createValidationPipe(): ValidationPipe {
  return new SafeValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: validationError,
  });
}
