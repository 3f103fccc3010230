import { AppError } from '../errors/app-error';
import { decodeCursor, decodeKeysetCursor, encodeCursor, isValidTimestampText } from './pagination';

const cursorOf = (values: unknown): string => Buffer.from(JSON.stringify(values)).toString('base64url');
const ID = '0b7e4a8e-5d0c-4f4b-9a55-1d1f3c1e2a10';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : 'not an AppError';
  }
}

describe('cursor decoder', () => {
  it('round-trips what the server makes (PostgreSQL timestamptz text with microseconds)', () => {
    const ts = '2026-11-30 12:51:28.123456+00';
    expect(decodeKeysetCursor(encodeCursor([ts, ID]))).toEqual([ts, ID]);
    expect(decodeCursor(encodeCursor(['alice', ID]), ['text', 'uuid'])).toEqual(['alice', ID]);
  });

  it('accepts real calendar dates only', () => {
    expect(isValidTimestampText('2024-02-29 23:59:59.999999+00')).toBe(true);
    for (const bad of ['2024-13-45 99:99:99', '2023-02-29 10:00:00', '2024-04-31 10:00:00', '0000-01-01 00:00:00', '2024-01-01 24:00:00', '2024-01-01 10:00:60', '2024-01-01 10:00:00+16', 'notadate']) {
      expect({ bad, ok: isValidTimestampText(bad) }).toEqual({ bad, ok: false });
    }
  });

  it('answers INVALID_CURSOR for anything else', () => {
    const bad = [
      'not base64 at all!!',
      cursorOf(['2024-13-45 99:99:99', ID]),
      cursorOf(['2024-01-01 10:00:00', 'zz']),
      cursorOf(['2024-01-01 10:00:00']),
      cursorOf(['2024-01-01 10:00:00', ID, 3]),
      cursorOf([12, ID]),
      cursorOf({ a: 1 }),
      cursorOf([['2024-01-01 10:00:00'], ID]),
      Buffer.from('['.repeat(300)).toString('base64url'),
    ];
    for (const cursor of bad) expect({ cursor, code: codeOf(() => decodeKeysetCursor(cursor)) }).toEqual({ cursor, code: 'INVALID_CURSOR' });
    expect(codeOf(() => decodeCursor(cursorOf(['a\u0000b', ID]), ['text', 'uuid']))).toBe('INVALID_CURSOR');
    expect(codeOf(() => decodeCursor(cursorOf(['\ud800', ID]), ['text', 'uuid']))).toBe('INVALID_CURSOR');
  });
});
