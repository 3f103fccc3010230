import { types } from 'pg';

/** PostgreSQL type OIDs whose text form the driver parses (see `SELECT oid, typname FROM pg_type`). */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * Parses one int8 value as a JavaScript number.
 * @throws RangeError when the value is not a safe integer (|v| ≥ 2^53), rather than rounding it.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return value;
}

/** Parses a numeric value (sums and averages of counters) as a JavaScript number. */
export function parseNumeric(text: string): number {
  return Number(text);
}

let installed = false;

/**
 * Makes the `pg` driver return int8 (`bigint`, `count(*)`, `WITH ORDINALITY`) and numeric columns as
 * numbers instead of strings, for every pool and client of the process (the parsers are global to the
 * `pg` module), so no query result needs a `Number(...)` after it. Idempotent.
 *
 * Safe because every int8 this schema holds stays far below 2^53 (9.0e15): room counters (`last_seq`,
 * `live_count`, seqs) grow by one per message or change — at 100,000 per second a room would need
 * 2,850 years to get there — counts are bounded by row counts, and upload sizes by the upload limit.
 * A value that did not fit would throw ({@link parseInt8}) instead of coming back rounded.
 */
export function installPgTypeParsers(): void {
  if (installed) return;
  installed = true;
  types.setTypeParser(INT8, parseInt8);
  types.setTypeParser(NUMERIC, parseNumeric);
}
