import { isPureNegation } from './search-query';

describe('isPureNegation', () => {
  it('is true when some alternative has only excluded words', () => {
    for (const q of ['-x', '-a -b', '-"a phrase"', 'a or -b', '-b OR a', '! -x', '-x or -y']) expect({ q, neg: isPureNegation(q) }).toEqual({ q, neg: true });
  });

  it('is false when every alternative names a word to find', () => {
    for (const q of ['x', 'a -b', '"a phrase" -b', 'a or b', 'a -b or c -d', 'well-known', '-', 'x -']) expect({ q, neg: isPureNegation(q) }).toEqual({ q, neg: false });
  });
});
