import { exceedsJsonDepth, JsonTooDeepError, MAX_JSON_DEPTH, parseBoundedJson, topLevelScalar } from './bounded-json';

/** Nesting depth of a parsed JSON value (0 for scalars), the reference the scanner must agree with. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

/** Small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings full of what could fool a bracket counter: brackets, quotes, escapes, surrogates. */
const TRICKY = ['[', ']', '{', '}', '"', '\\', '\\"', '["', '"]', '\\\\', 'a', '😀', '\u0000', '\n'];

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth <= 0 || r < 0.3) {
    if (r < 0.1) return Math.floor(next() * 1000);
    if (r < 0.15) return null;
    let s = '';
    for (let i = Math.floor(next() * 6); i > 0; i--) s += TRICKY[Math.floor(next() * TRICKY.length)];
    return s;
  }
  const n = Math.floor(next() * 4);
  if (r < 0.65) return Array.from({ length: n }, () => randomValue(next, depth - 1));
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) obj[`${TRICKY[Math.floor(next() * TRICKY.length)]}${i}`] = randomValue(next, depth - 1);
  return obj;
}

describe('exceedsJsonDepth', () => {
  it('agrees with the real depth of 2,000 generated values, brackets and escapes inside strings included', () => {
    const next = rng(12);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(next, 1 + Math.floor(next() * 12));
      const text = JSON.stringify(value);
      const depth = depthOf(value);
      for (const limit of [0, 1, 3, depth - 1, depth, depth + 1].filter((d) => d >= 0)) {
        expect({ text, limit, over: exceedsJsonDepth(text, limit) }).toEqual({ text, limit, over: depth > limit });
      }
    }
  });

  it('allows exactly MAX_JSON_DEPTH levels and refuses one more', () => {
    const at = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    const over = '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    expect(exceedsJsonDepth(at)).toBe(false);
    expect(exceedsJsonDepth(over)).toBe(true);
  });

  it('does not count brackets inside strings, nor an escaped quote as the end of one', () => {
    const text = JSON.stringify({ a: '['.repeat(1000) + '\\"' + '{'.repeat(1000) });
    expect(exceedsJsonDepth(text, 1)).toBe(false);
  });

  it('refuses 500,000 levels (a 1 MB body) without reading past the limit', () => {
    const text = '['.repeat(500_000) + ']'.repeat(500_000);
    expect(exceedsJsonDepth(text)).toBe(true);
  });
});

describe('parseBoundedJson', () => {
  it('parses JSON within the limit like JSON.parse', () => {
    expect(parseBoundedJson('{"a":[1,{"b":"]"}]}')).toEqual({ a: [1, { b: ']' }] });
  });

  it('throws JsonTooDeepError before parsing, never a RangeError', () => {
    expect(() => parseBoundedJson('['.repeat(200_000) + ']'.repeat(200_000))).toThrow(JsonTooDeepError);
  });

  it('throws SyntaxError for text that is not JSON', () => {
    expect(() => parseBoundedJson('{"a":')).toThrow(SyntaxError);
  });
});

describe('topLevelScalar', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);

  it('reads a top-level string or number field wherever it is, next to a value too deep to parse', () => {
    expect(topLevelScalar(`{"type":"ping","id":"f53","payload":{"x":${deep}}}`, 'id')).toBe('f53');
    expect(topLevelScalar(`{"payload":{"id":"inner","x":${deep}}, "id" : 42 }`, 'id')).toBe(42);
    expect(topLevelScalar(String.raw`{"a":"\"id\"","i\u0064":"esc"}`, 'id')).toBe('esc');
  });

  it('agrees with JSON.parse on 2,000 generated objects', () => {
    const next = rng(7);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(next, 4);
      const obj = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { v: value };
      if (next() < 0.5) (obj as Record<string, unknown>).id = next() < 0.5 ? TRICKY[Math.floor(next() * TRICKY.length)] : Math.floor(next() * 1e6);
      const id = (obj as { id?: unknown }).id;
      const expected = typeof id === 'string' || typeof id === 'number' ? id : undefined;
      expect(topLevelScalar(JSON.stringify(obj), 'id')).toEqual(expected);
    }
  });

  it('is undefined for nested ids, other types and non-objects', () => {
    expect(topLevelScalar('{"payload":{"id":"x"}}', 'id')).toBeUndefined();
    expect(topLevelScalar('{"id":{"a":1}}', 'id')).toBeUndefined();
    expect(topLevelScalar('{"id":null}', 'id')).toBeUndefined();
    expect(topLevelScalar('["id","x"]', 'id')).toBeUndefined();
  });
});
