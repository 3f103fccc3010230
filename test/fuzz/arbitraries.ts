import fc from 'fast-check';

/**
 * Hostile input generators for the fuzz suites. Values that must be real ids of the fuzz world
 * (a room the caller owns, one of its messages, ...) are written as `«name»` placeholders inside
 * strings and resolved just before sending (see {@link resolveRefs}), so counterexamples stay
 * readable and survive a rebuilt world; `«NAME»` (upper case) resolves to the upper-cased value.
 */

/** Every C0 control character and DEL. */
export const CONTROL_CHARS = [...Array(32).keys()].map((i) => String.fromCharCode(i)).concat('\u007f');

/** Characters that break naive text handling: lone and reversed surrogates, bidi overrides, BOM, astral emoji, combining marks. */
const ODD_CHARS = ['\ud800', '\udfff', '\udc00\ud800', '\u202e', '\ufeff', '\u200b', '\u2028', '\ufffe', '\uffff', '💩', '👨‍👩‍👧', 'é', 'e\u0301', '\u{10ffff}', '"', '\\', '%', '/', "'", '<', '&'];

/** Names of world values a placeholder can point at. */
export type WorldRefName = 'room' | 'private' | 'message' | 'userA' | 'userB' | 'userC' | 'usernameA' | 'upload' | 'session' | 'password' | 'refresh' | 'token';

/** One character: mostly printable ASCII, often a control character or an odd one. */
const char = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTROL_CHARS) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_CHARS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/** Ids that look like UUIDs but are not, and real ids in the wrong spelling. */
export const weirdUuid: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    '00000000000000000000000000000000',
    '{00000000-0000-4000-8000-000000000000}',
    'urn:uuid:00000000-0000-4000-8000-000000000000',
    '00000000-0000-4000-8000-00000000000',
    '00000000-0000-4000-8000-0000000000000',
    '00000000-0000-4000-8000-000000000000\u0000',
    '«room»',
    '«ROOM»',
    ' «room»',
    '«room» ',
    '«room»\u0000',
    '«room»x',
    '«private»',
    '«message»',
    '«MESSAGE»',
    '«userA»',
    '«userB»',
    '«userC»',
    '«upload»',
    '«session»',
  ),
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => u.replace(/-/g, '')),
);

/** Timestamps PostgreSQL refuses or that sit at its edges. */
const weirdTimestamp = fc.constantFrom(
  '2024-13-45 99:99:99',
  '2024-02-30 12:00:00',
  '0000-00-00 00:00:00',
  '9999-12-31 23:59:59.999999+99',
  '1970-01-01 00:00:00+00',
  '294277-01-01 00:00:00',
  '2024-01-01 00:00:00.1234567',
  'infinity',
  '-infinity',
  'epoch',
  'now',
  'allballs',
  '2024-01-01T00:00:00Z\u0000',
  '',
);

/** Keyset cursors: base64url JSON of values in the wrong count, type or range, and non-JSON base64. */
export const weirdCursor: fc.Arbitrary<string> = fc.oneof(
  // Well-formed pairs first: only these get past the shape check to the query.
  { weight: 3, arbitrary: fc.tuple(weirdTimestamp, fc.uuid()).map(b64) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ unit: char, maxLength: 8 }), fc.uuid()).map(b64) },
  fc.tuple(fc.oneof(weirdTimestamp, fc.string({ unit: char, maxLength: 8 })), fc.oneof(weirdUuid, fc.string({ unit: char, maxLength: 8 }))).map((pair) => b64(pair)),
  fc.array(fc.oneof(fc.string({ unit: char, maxLength: 6 }), fc.integer(), fc.double(), fc.constant(null), fc.constant({})), { maxLength: 4 }).map(b64),
  fc.constantFrom(b64([]), b64(['a']), b64({ a: 1 }), b64('x'), b64(null), b64([1e308, -1]), b64(['\u0000', '\u0000'])),
  fc.string({ unit: char, maxLength: 12 }).map((s) => Buffer.from(s).toString('base64url')),
  fc.constantFrom('', '=', '====', '!!!', 'a'.repeat(501), 'eyJ', '%00', 'W10', 'WyJ'),
);

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Numbers written as strings, in every spelling a loose parser might accept. */
export const numericString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-0', '-1', '1.5', '1e3', '1e309', '-1e309', 'NaN', 'Infinity', '0x10', '0o7', '0b1', ' 1', '1 ', '+1', '１', '٣', '99999999999999999999', '9007199254740993', '2147483648', '101', '00001', '1_000', ''),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
);

/** Hostile strings: control characters, surrogates, long, numeric, ids, cursors, injection-looking text. */
export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: char, maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\t\n',
      '\u0000',
      'a\u0000b',
      '\ud800',
      'a\udfffb',
      '\u202egnp.exe',
      'null',
      'undefined',
      'true',
      "' OR 1=1 --",
      "'); DROP TABLE users; --",
      '../../../etc/passwd',
      '%00',
      '%',
      '${jndi:ldap://x}',
      '<script>alert(1)</script>',
      '__proto__',
      'constructor',
      'prototype',
      '-x',
      '-',
      '"',
      '\\',
      '*',
      '&',
      ':*',
      '!(a',
      'a & | ! b',
      '@',
      '@«usernameA»',
      '«usernameA»',
      '«password»',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(...CONTROL_CHARS).map((c) => `a${c}b`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(4000, 4001, 5000, 70_000).chain((n) =>
      fc.constantFrom('a'.repeat(n), '😀'.repeat(n), `${'a'.repeat(n - 1)}\u0000`, ' '.repeat(n), '\ud800'.repeat(Math.min(n, 5000))),
    ),
  },
  { weight: 2, arbitrary: numericString },
  { weight: 2, arbitrary: weirdUuid },
  { weight: 1, arbitrary: weirdCursor },
  { weight: 1, arbitrary: weirdTimestamp },
);

/** Deeply nested arrays or objects built directly (recursion in generators cannot reach these depths). */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = kind === 'array' ? [] : {};
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** A JSON value of any type, biased to the hostile ones; nested a few levels. */
export const weirdValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: weirdString },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MAX_VALUE, Number.MIN_VALUE)) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(weirdKey(), tie('value'), { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(10, 33, 40, 200).chain((d) => fc.constantFrom(nested(d, 'array'), nested(d, 'object'))) },
    { weight: 1, arbitrary: fc.constantFrom(1000, 10_000).map((n) => Array.from({ length: n }, (_, i) => i)) },
  ),
})).value;

/** Object keys, sometimes dangerous ones. */
export function weirdKey(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: char, maxLength: 10 }) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'id', 'user_id', 'sender_id', 'owner_id', 'role', 'seq', 'type', 'payload', '') },
  );
}

/** Raw bodies that are not (or barely) JSON: deep nesting over any sane limit, truncated and odd documents. */
export const rawJsonText: fc.Arbitrary<string> = fc.oneof(
  // Depth is an integer (not a list of constants) so a failure shrinks to the smallest failing depth.
  fc.tuple(fc.integer({ min: 2, max: 500_000 }), fc.constantFrom('[', '{"a":', '{"content":[', '{"rooms":{"a":')).map(([depth, open]) => deepJson(depth, open)),
  fc.constantFrom('{', '}', '[', '{"a":1,}', "{'a':1}", '{"a":1}{"a":2}', 'nul', 'NaN', '"\\ud800"', '"\\u0000"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff{}', '{"a":1e99999}', '[]', '0', '""', 'true'),
  fc.constantFrom(1_100_000, 2_000_000).map((n) => `{"content":"${'a'.repeat(n)}"}`),
);

/** JSON nested `depth` levels with `open` as each level's opening (arrays past 900 KB, to stay under the 1 MiB body limit). */
export function deepJson(depth: number, open: string): string {
  const closeOf: Record<string, string> = { '[': ']', '{"a":': '}', '{"content":[': ']}', '{"rooms":{"a":': '}}' };
  const level = open.length * depth > 900_000 ? '[' : open;
  return level.repeat(depth) + (level === '[' ? '' : '1') + closeOf[level].repeat(depth);
}

/** Content types sent with raw bodies. */
export const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/octet-stream',
  '',
);

/** Replaces `«name»` placeholders (recursively, keys included) with the world's values. */
export function resolveRefs<T>(value: T, world: Record<string, string>): T {
  const sub = (s: string) =>
    s.replace(/«(\w+)»/g, (_m, name: string) => {
      const direct = world[name];
      if (direct !== undefined) return direct;
      const lower = Object.keys(world).find((k) => k.toUpperCase() === name);
      return lower !== undefined ? world[lower].toUpperCase() : '';
    });
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return sub(v);
    // Very deep generated values are left alone: they hold no placeholders.
    if (depth > 20 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.length > 50 ? v : v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // defineProperty, so a generated "__proto__" key stays a plain key as in JSON.
      Object.defineProperty(out, sub(k), { value: walk(x, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return walk(value, 0) as T;
}

/**
 * Percent-encodes a string for a URL like a sloppy client would: lone surrogates, which
 * encodeURIComponent refuses, become their WTF-8 bytes (invalid UTF-8 on the wire).
 */
export function encodeLoose(s: string): string {
  let out = '';
  for (const ch of s) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const u = ch.charCodeAt(0);
      out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }
  return out;
}

/** A URL component: a string to encode, or a raw already-encoded fragment (broken escapes, overlong UTF-8). */
export type UrlPart = string | { raw: string };

/** Raw percent-escapes no well-behaved client sends. */
export const rawUrlPart: fc.Arbitrary<UrlPart> = fc.constantFrom('%00', '%FF', '%', '%zz', '%ED%A0%80', '%C0%80', '%E2%80%AE', '%2F..%2F', '..', '.', '%20', '+').map((raw) => ({ raw }));

/** Encodes a URL component. */
export function encodePart(p: UrlPart): string {
  return typeof p === 'string' ? encodeLoose(p) : p.raw;
}

/** JSON schema subset of the OpenAPI document the generators read. */
export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  $ref?: string;
  example?: unknown;
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  allOf?: Schema[];
}

/** A value the server should accept for a field, chosen by its name and schema (so requests reach the database). */
export function plausible(name: string, schema: Schema): fc.Arbitrary<unknown> {
  const n = name.toLowerCase();
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  if (schema.type === 'array') return fc.array(plausible(n.replace(/s$/, ''), schema.items ?? { type: 'string' }), { minLength: 1, maxLength: 2 });
  if (n === 'room_id' || n === 'id') return fc.constantFrom('«room»', '«private»');
  if (n === 'reply_to_id' || n === 'message_id') return fc.constant('«message»');
  if (n === 'recipient_id' || n === 'user_id') return fc.constantFrom('«userB»', '«userC»');
  if (n === 'attachment_id') return fc.constant('«upload»');
  if (n.includes('password') && n !== 'new_password') return fc.constant('«password»');
  if (n === 'new_password') return fc.constant('a fresh passphrase 2026');
  if (n === 'refresh_token') return fc.constant('«refresh»');
  if (n === 'token') return fc.constant('«token»');
  if (n === 'email') return fc.stringMatching(/^[a-z]{6,10}$/).map((s) => `${s}@fuzz.example`);
  if (n === 'username' || n === 'login') return fc.oneof(fc.constant('«usernameA»'), fc.stringMatching(/^[a-z][a-z0-9_]{5,12}$/));
  if (n === 'avatar_url') return fc.constantFrom('https://example.com/a.png', 'http://x.test/');
  if (n === 'seq' || n === 'before' || n === 'after' || n === 'page') return fc.nat(5);
  if (n === 'limit') return fc.integer({ min: 1, max: 100 });
  if (n === 'rooms') return fc.constant({ '«room»': 0 });
  if (schema.format === 'uuid') return fc.constantFrom('«room»', '«message»', '«userB»');
  if (schema.type === 'number' || schema.type === 'integer') return fc.nat(10);
  if (schema.type === 'boolean') return fc.boolean();
  return fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: Math.min(schema.maxLength ?? 20, 20) }).filter((s) => s.trim().length > 0);
}

/**
 * A JSON object for a schema: each property absent, plausible or hostile, sometimes with unknown
 * extra fields — so some requests pass validation and reach the service and the database.
 */
export function objectFor(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {});
  const fields = props.map(([name, s]) =>
    fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: plausible(name, s) }, { weight: 2, arbitrary: weirdValue }).map((v) => [name, v] as const),
  );
  const extra = fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(weirdKey(), weirdValue, { minKeys: 1, maxKeys: 3 }) });
  return fc.tuple(fc.tuple(...fields), extra).map(([entries, more]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) if (v !== undefined) out[k] = v;
    for (const [k, v] of Object.entries(more)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

/** A request body: a schema-shaped object most of the time, else any JSON value or raw text. */
export type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; contentType: string };

/** Bodies for an operation with (`schema`) or without a JSON request body. */
export function bodyFor(schema: Schema | undefined): fc.Arbitrary<Body> {
  const json = (a: fc.Arbitrary<unknown>) => a.map((value): Body => ({ kind: 'json', value }));
  const raw = fc.tuple(rawJsonText, contentType).map(([text, ct]): Body => ({ kind: 'raw', text, contentType: ct }));
  if (!schema) {
    return fc.oneof({ weight: 6, arbitrary: fc.constant<Body>({ kind: 'none' }) }, { weight: 1, arbitrary: json(weirdValue) }, { weight: 1, arbitrary: raw });
  }
  return fc.oneof(
    { weight: 8, arbitrary: json(objectFor(schema)) },
    { weight: 1, arbitrary: json(weirdValue) },
    { weight: 1, arbitrary: json(fc.constantFrom({}, [], [{}], null, 0, '', 'x', true)) },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: 'none' }) },
    { weight: 2, arbitrary: raw },
  );
}

/** Values for a query parameter: absent, plausible, hostile, raw escapes, or repeated (an array). */
export function queryValue(name: string, schema: Schema): fc.Arbitrary<UrlPart | UrlPart[] | undefined> {
  const plausibleText = plausible(name, schema).map((v) => String(v));
  const hostile: fc.Arbitrary<UrlPart> = name === 'cursor' ? fc.oneof(weirdCursor, weirdString) : name === 'q' ? fc.oneof(weirdString, fc.constantFrom('-x', '!x', 'x:*', '(', "'", 'a b -c', ' ')) : weirdString;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: plausibleText },
    { weight: 3, arbitrary: hostile },
    { weight: 1, arbitrary: rawUrlPart },
    { weight: 1, arbitrary: fc.array(fc.oneof(plausibleText, hostile), { minLength: 2, maxLength: 3 }) },
  );
}
