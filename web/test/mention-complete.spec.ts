import { applyMention, mentionCandidates, mentionQuery, moveSelection } from '../src/state/mention-complete';

const members = [
  { id: '1', username: 'alice', display_name: 'Alice Liddell' },
  { id: '2', username: 'bob', display_name: 'Robert Alvarez' },
  { id: '3', username: 'albert', display_name: null },
  { id: '4', username: 'me', display_name: 'Myself' },
];

describe('mention autocomplete', () => {
  it('finds the @word at the caret, not in e-mail addresses or mid-word', () => {
    expect(mentionQuery('hi @al', 6)).toEqual({ start: 3, query: 'al' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('hi @al there', 6)).toEqual({ start: 3, query: 'al' });
    expect(mentionQuery('mail a@b.c', 10)).toBeNull();
    expect(mentionQuery('hi @al there', 12)).toBeNull();
    expect(mentionQuery('no mention', 10)).toBeNull();
  });

  it('ranks username prefixes before display-name words and leaves me out', () => {
    expect(mentionCandidates(members, 'al', '4').map((m) => m.username)).toEqual(['albert', 'alice', 'bob']);
    expect(mentionCandidates(members, 'AL', '4').map((m) => m.username)).toEqual(['albert', 'alice', 'bob']);
    expect(mentionCandidates(members, '', '4').map((m) => m.username)).toEqual(['albert', 'alice', 'bob']);
    expect(mentionCandidates(members, 'm', '4')).toEqual([]);
    expect(mentionCandidates(members, 'zzz', '4')).toEqual([]);
    expect(mentionCandidates(members, '', undefined, 2)).toHaveLength(2);
  });

  it('replaces the typed word with @username and a space, keeping the rest', () => {
    expect(applyMention('hi @al', { start: 3, query: 'al' }, 6, 'alice')).toEqual({ text: 'hi @alice ', caret: 10 });
    expect(applyMention('hi @al, ok', { start: 3, query: 'al' }, 6, 'alice')).toEqual({ text: 'hi @alice , ok', caret: 10 });
    expect(applyMention('@alx more', { start: 0, query: 'al' }, 3, 'alice')).toEqual({ text: '@alice more', caret: 7 });
  });

  it('wraps the highlighted option with the arrow keys', () => {
    expect(moveSelection(0, -1, 3)).toBe(2);
    expect(moveSelection(2, 1, 3)).toBe(0);
    expect(moveSelection(1, 1, 3)).toBe(2);
    expect(moveSelection(0, 1, 0)).toBe(0);
  });
});
