/**
 * Deepest nesting of arrays and objects accepted in a REST body or a WebSocket frame. No request of
 * the API nests deeper than 3; 32 leaves room for any well-meant client while keeping every later
 * recursive walk (JSON.parse, class-transformer, class-validator) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 32;

/** Thrown by {@link parseBoundedJson} when the text nests deeper than allowed (before any parsing). */
export class JsonTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`JSON nests deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}

const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether `text` nests arrays/objects deeper than `maxDepth`, decided by one linear scan of the UTF-16
 * code units that counts brackets outside strings (strings are skipped whole). It stops at the
 * first bracket over the limit, so a hostile 1 MB body costs a few dozen steps, and any other text
 * costs one pass with no allocation. Malformed JSON is not judged here (JSON.parse does that).
 * @param text JSON text
 * @param maxDepth deepest nesting allowed (1 = `{}` or `[]` with only scalars inside)
 */
export function exceedsJsonDepth(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * Index of the quote that closes the string opened at `open` (or the text's length when it is
 * unterminated). Jumps from quote to quote with the engine's native search; a quote preceded by an
 * odd number of backslashes is escaped and skipped.
 */
function endOfString(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

const NUMBER_TEXT = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SPACE = /[ \t\n\r]*/y;

/**
 * The value of a top-level field of a JSON object text when it is a string or a number, found by
 * one linear scan without parsing the rest, so it can be read from a text refused for its depth
 * (JSON.parse costs about 1 s for a million levels). Undefined when absent, of another type, or the
 * text is not an object.
 * @param text JSON text, possibly too deep or malformed elsewhere
 * @param key the field's name (compared after unescaping)
 */
export function topLevelScalar(text: string, key: string): string | number | undefined {
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = endOfString(text, i);
      if (depth === 1 && expectKey) {
        expectKey = false;
        if (decodeString(text.slice(i, end + 1)) === key) return scalarAt(text, end + 1);
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      expectKey = depth === 1 && c === OPEN_BRACE;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}

/** The string or number after the `:` that follows a key ending before `from`. */
function scalarAt(text: string, from: number): string | number | undefined {
  SPACE.lastIndex = from;
  SPACE.exec(text);
  if (text.charCodeAt(SPACE.lastIndex) !== 0x3a /* : */) return undefined;
  SPACE.lastIndex += 1;
  SPACE.exec(text);
  const start = SPACE.lastIndex;
  if (text.charCodeAt(start) === QUOTE) {
    const value = decodeString(text.slice(start, endOfString(text, start) + 1));
    return typeof value === 'string' ? value : undefined;
  }
  NUMBER_TEXT.lastIndex = start;
  const number = NUMBER_TEXT.exec(text);
  return number ? Number(number[0]) : undefined;
}

/** A JSON string literal's value, or undefined when it is not one. */
function decodeString(literal: string): string | undefined {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * JSON.parse behind the depth limit: the one parser of client JSON (REST bodies and WS frames), so no
 * input can make a recursive walk of the parsed value overflow the stack.
 * @throws JsonTooDeepError when the text nests deeper than `maxDepth` (checked before parsing)
 * @throws SyntaxError when the text is not JSON
 */
export function parseBoundedJson(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  if (exceedsJsonDepth(text, maxDepth)) throw new JsonTooDeepError(maxDepth);
  return JSON.parse(text);
}
