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

  describe('code is not prose', () => {
    it('ignores @name inside inline code spans, of any backtick length', () => {
      expect(mentionCandidates('ask `@alice` or ``@bob ` x`` but @carol')).toEqual(['carol']);
    });

    it('ignores fenced code blocks, closed or not (an unclosed fence runs to the end)', () => {
      expect(mentionCandidates('see\n```\n@alice\n```\nthen @bob')).toEqual(['bob']);
      expect(mentionCandidates('~~~js\nping(@alice)\n~~~')).toEqual([]);
      expect(mentionCandidates('@bob says\n```\n@alice and more\nstill code @carol')).toEqual(['bob']);
    });

    it('ignores indented code blocks, but not an indented line that continues a paragraph', () => {
      expect(mentionCandidates('    @alice in code\n\n@bob')).toEqual(['bob']);
      expect(mentionCandidates('hello\n    @alice continues the paragraph')).toEqual(['alice']);
    });

    it('takes @name right after a code span, and keeps backticks inside words literal', () => {
      expect(mentionCandidates('`x`@alice')).toEqual(['alice']);
      expect(mentionCandidates("don`t worry @alice")).toEqual(['alice']);
      expect(mentionCandidates('a single ` then @bob')).toEqual(['bob']);
    });

    it('still ignores email addresses and names joined to a word, inside links too', () => {
      expect(mentionCandidates('write to alice@example.com, or <bob@example.com>')).toEqual([]);
      expect(mentionCandidates('mention_@alice and [@bob](https://example.com)')).toEqual(['bob']);
    });

    it('finds names in emphasis, lists, quotes and tables, in reading order', () => {
      expect(mentionCandidates('**@alice** and _@bob_\n- @carol\n> @dave\n\n| a |\n|---|\n| @erin |')).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    });

    it('an escaped @ names nobody; a raw HTML block is literal text, an inline tag hides nothing', () => {
      expect(mentionCandidates('\\@alice <b>@bob</b>')).toEqual(['bob']);
      expect(mentionCandidates('<div>\n@carol\n</div>')).toEqual([]);
    });
  });
});
