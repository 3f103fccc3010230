import { Logger } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { toErrorResponse } from './http-exception.filter';

/** Records what the filter logs (the Nest Logger API, as nestjs-pino serves it). */
class RecordingLogger extends Logger {
  readonly lines: { level: string; obj: unknown; msg: unknown }[] = [];
  override error(obj: unknown, msg?: unknown): void {
    this.lines.push({ level: 'error', obj, msg });
  }
  override debug(obj: unknown, msg?: unknown): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  override warn(obj: unknown, msg?: unknown): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
}

describe('toErrorResponse logging', () => {
  it('a 500 logs one error line with the request id and the error class, no stack; the stack only at debug level', () => {
    const logger = new RecordingLogger();
    const { status, body } = toErrorResponse(new RangeError('Maximum call stack size exceeded'), 'req-1', logger);
    expect(status).toBe(500);
    expect(body).toEqual({ status_code: 500, code: 'INTERNAL_ERROR', error: 'Something went wrong on our side.', request_id: 'req-1' });
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([{ level: 'error', obj: { request_id: 'req-1', err: { type: 'RangeError', message: 'Maximum call stack size exceeded', code: undefined } }, msg: 'request failed' }]);
    expect(JSON.stringify(errors)).not.toContain(' at ');
    const debug = logger.lines.filter((l) => l.level === 'debug');
    expect(debug).toHaveLength(1);
    expect((debug[0].obj as { stack: string }).stack).toContain('RangeError');
  });

  it('names the class of a driver error, never its parameters', () => {
    const logger = new RecordingLogger();
    class QueryFailedError extends Error {
      code = '22021';
      parameters = ['$2b$12$secret-hash'];
    }
    toErrorResponse(new QueryFailedError('invalid byte sequence'), 'req-2', logger);
    const line = JSON.stringify(logger.lines.filter((l) => l.level === 'error'));
    expect(line).toContain('QueryFailedError');
    expect(line).toContain('22021');
    expect(line).not.toContain('secret-hash');
  });

  it('4xx are not logged as errors', () => {
    const logger = new RecordingLogger();
    expect(toErrorResponse(new AppError('VALIDATION_FAILED'), 'req-3', logger).status).toBe(400);
    expect(logger.lines).toEqual([]);
  });
});
