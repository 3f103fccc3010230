import { codePointLength, textProblem } from './text.validators';

describe('text rules', () => {
  const single = { max: 10 };
  const multi = { max: 10, multiline: true };

  it('counts Unicode code points: 4,000 emoji are 4,000 characters', () => {
    const emoji = '😀'.repeat(4000);
    expect(emoji.length).toBe(8000);
    expect(codePointLength(emoji)).toBe(4000);
    expect(textProblem(emoji, { max: 4000 })).toBeNull();
    expect(textProblem(emoji + '😀', { max: 4000 })).toBe('must be at most 4000 characters');
    expect(textProblem('😀😀', { min: 3, max: 10 })).toBe('must be at least 3 characters');
  });

  it('refuses every C0 control character except \\n and \\t in multi-line text, and all of them in single-line text', () => {
    for (let c = 0; c < 0x20; c++) {
      const s = `a${String.fromCharCode(c)}b`;
      const allowedInMulti = c === 0x0a || c === 0x09;
      expect({ c, multi: textProblem(s, multi) === null }).toEqual({ c, multi: allowedInMulti });
      expect({ c, single: textProblem(s, single) }).toEqual({ c, single: 'must not contain control characters or line breaks (a single line of text)' });
    }
    expect(textProblem('a\u2028b', single)).not.toBeNull();
    expect(textProblem('a\u007fb é ü 中文 😀', { max: 100 })).toBeNull();
  });

  it('refuses lone surrogates (high or low, anywhere) and accepts pairs', () => {
    for (const s of ['\ud800', '\udfff', 'a\ud83d', '\ude00b', '\ude00\ud83d', '😀\ud800']) {
      expect(textProblem(s, multi)).toBe('must not contain unpaired surrogate code units (not valid Unicode)');
    }
    expect(textProblem('\ud83d\ude00', multi)).toBeNull();
  });

  it('names the type problem first: non-strings, null and missing values', () => {
    expect(textProblem(123, single)).toBe('must be a string');
    expect(textProblem({ a: 1 }, single)).toBe('must be a string');
    expect(textProblem(null, single)).toBe('must not be null');
    expect(textProblem(undefined, single)).toBe('is required');
    expect(textProblem('', { min: 1, max: 5 })).toBe('must not be empty');
  });
});
