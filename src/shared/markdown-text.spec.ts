import { mentionsIn, plainText, previewText, proseRuns } from './markdown-text';

describe('plainText', () => {
  it('drops the markup of the subset the web client renders', () => {
    expect(plainText('**bold**, _italic_, ~~gone~~ and `code`')).toBe('bold, italic, gone and code');
    expect(plainText('> quoted\n> more')).toBe('quoted\nmore');
    expect(plainText('- one\n- **two**\n\n1. first')).toBe('one\ntwo\nfirst');
  });

  it('keeps code blocks as their text, links as their label, images as their alt text', () => {
    expect(plainText('look:\n```js\nlet a = 1;\n```')).toBe('look:\nlet a = 1;');
    expect(plainText('[the docs](https://example.com/docs) and https://example.com')).toBe('the docs and https://example.com');
    expect(plainText('![a cat](https://example.com/cat.png)')).toBe('a cat');
  });

  it('shows raw HTML and escapes as the literal text the page shows', () => {
    expect(plainText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
    expect(plainText('\\*not bold\\*')).toBe('*not bold*');
  });

  it('turns headings, rules and line breaks into plain lines', () => {
    expect(plainText('# Title\n\ntext\n\n---\n\nline one\nline two')).toBe('Title\ntext\nline one\nline two');
  });

  it('gives an empty string for nothing, and never throws on odd input', () => {
    expect(plainText(null)).toBe('');
    expect(plainText('')).toBe('');
    expect(plainText('```')).toBe('');
    expect(() => plainText('[' .repeat(2000) + '*'.repeat(2000))).not.toThrow();
  });
});

describe('proseRuns', () => {
  it('leaves out code spans, code blocks, raw HTML blocks and image alt text', () => {
    expect(proseRuns('a `b` c\n\n```\nd\n```\n\n<div>\ne\n</div>\n\n![f](https://x.test/f.png) g').join('|')).toBe('a | c| g');
  });
});

describe('mentionsIn', () => {
  it('gives each @name of a run with its offset, the name a page marks, and the usernames it may name', () => {
    expect(mentionsIn('hi @Bob. and (@carol_1)')).toEqual([
      { index: 3, shown: 'Bob', names: ['bob.', 'bob'] },
      { index: 14, shown: 'carol_1', names: ['carol_1'] },
    ]);
    expect(mentionsIn('@x__ @.dot')).toEqual([
      { index: 0, shown: 'x__', names: ['x__'] },
      { index: 5, shown: '.dot', names: ['.dot'] },
    ]);
  });

  it('leaves out addresses, runs that can be no username, and non-ASCII names', () => {
    expect(mentionsIn(`mail alice@example.com, @ab, @, @${'x'.repeat(33)}, @józef`)).toEqual([]);
  });
});

describe('previewText', () => {
  it('is the plain text on one line, cut to the limit in characters with an ellipsis', () => {
    expect(previewText('**a**\n\n>  b\n- c')).toBe('a b c');
    expect(previewText('abcdef', 6)).toBe('abcdef');
    expect(previewText('abcdefg', 6)).toBe('abcde…');
    expect(previewText('é😀'.repeat(4), 5)).toBe('é😀é😀…');
    expect(previewText('```\n```', 10)).toBe('');
    expect(previewText(null)).toBe('');
  });
});
