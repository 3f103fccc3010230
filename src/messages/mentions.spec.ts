import { mentionCandidates, MENTIONS_MAX } from './mentions';

describe('mentionCandidates', () => {
  it('takes @username at the start and after non-word characters, lower-cased, in order', () => {
    expect(mentionCandidates('@Alice hi (@bob) and,@carol_1')).toEqual(['alice', 'bob', 'carol_1']);
  });

  it('ignores an @ inside a word (email addresses) and runs that are no username', () => {
    expect(mentionCandidates('mail alice@example.com or @ab or @ or @' + 'x'.repeat(33))).toEqual([]);
    expect(mentionCandidates(null)).toEqual([]);
    expect(mentionCandidates('')).toEqual([]);
  });

  it('drops duplicates, case-insensitively', () => {
    expect(mentionCandidates('@Bob @bob @BOB')).toEqual(['bob']);
  });

  it('also offers the name without trailing punctuation', () => {
    expect(mentionCandidates('thanks @bob.')).toEqual(['bob.', 'bob']);
    expect(mentionCandidates('@d.o-t_s')).toEqual(['d.o-t_s']);
  });

  it('caps the candidates of one message', () => {
    const names = Array.from({ length: MENTIONS_MAX + 10 }, (_, i) => `user${i}`);
    const got = mentionCandidates(names.map((n) => `@${n}`).join(' '));
    expect(got).toHaveLength(MENTIONS_MAX);
    expect(got).toEqual(names.slice(0, MENTIONS_MAX));
  });
});
