// What the server reads out of a message's markdown, with the tokenizer the web client renders it
// with (`marked`'s lexer, same options as web/src/markdown.ts), so both sides agree on what is code
// and what is prose.
//
// marked is ESM-only. Node (>= 20.19) loads it with require(esm), and jest transforms it (see
// jest.config.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const marked = require('marked') as typeof import('marked', { with: { 'resolution-mode': 'import' } });

type Token = import('marked', { with: { 'resolution-mode': 'import' } }).Token;

/** The options the web client's renderer uses (GitHub-flavoured, single line breaks kept). */
const LEXER_OPTIONS = { gfm: true, breaks: true } as const;

/** The block and inline tokens of a message's markdown (marked's lexer; never throws on any input). */
function lex(content: string): Token[] {
  return new marked.Lexer(LEXER_OPTIONS).lex(content);
}

/** The children of a token that hold text, in reading order (list items, table cells, inline tokens). */
function childrenOf(token: Token): Token[] {
  if (token.type === 'list') return token.items as Token[];
  if (token.type === 'table') return [...token.header, ...token.rows.flat()].flatMap((cell: { tokens: Token[] }) => cell.tokens);
  return (token as { tokens?: Token[] }).tokens ?? [];
}

/**
 * The runs of prose in a message: the text the web client shows as ordinary text, where it marks
 * `@name` mentions. Left out: inline code spans, fenced code blocks (an unclosed fence runs to the
 * end, as in CommonMark) and indented code blocks, raw HTML (shown as literal text, never as a
 * mention) and image alt text. Each text token is one run, in reading order; an escaped character
 * (`\@`) is a run of its own, so `\@name` names nobody.
 * @param content message text (markdown), any length
 */
export function proseRuns(content: string): string[] {
  const runs: string[] = [];
  const visit = (tokens: Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'code' || token.type === 'codespan' || token.type === 'html' || token.type === 'image') continue;
      const children = childrenOf(token);
      if (children.length > 0) visit(children);
      else if (token.type === 'text' || token.type === 'escape') runs.push(token.text);
    }
  };
  visit(lex(content));
  return runs;
}

/**
 * A message's text without its markdown, for places that show text outside the message body (push
 * previews): no `**`, backticks, `>` or list markers; code keeps its text, links their label, images
 * their alt text; blocks and line breaks become `\n` (callers collapse white space as they need).
 * @param content message text (markdown); null or empty gives ''
 */
export function plainText(content: string | null | undefined): string {
  if (!content) return '';
  const inline = (tokens: Token[]): string => tokens.map(inlineText).join('');
  const inlineText = (token: Token): string => {
    switch (token.type) {
      case 'br':
        return '\n';
      case 'codespan':
      case 'escape':
      case 'html':
      case 'image':
        return token.text as string;
      default: {
        const children = childrenOf(token);
        return children.length > 0 ? inline(children) : ((token as { text?: string }).text ?? '');
      }
    }
  };
  const block = (token: Token): string => {
    switch (token.type) {
      case 'space':
      case 'hr':
        return '';
      case 'code':
      case 'html':
        return token.text as string;
      case 'list':
        return (token.items as { tokens: Token[] }[]).map((item) => blocks(item.tokens)).join('\n');
      case 'blockquote':
        return blocks(token.tokens ?? []);
      case 'table':
        return [token.header, ...token.rows].map((row: { tokens: Token[] }[]) => row.map((cell) => inline(cell.tokens)).join(' ')).join('\n');
      default:
        return inlineText(token);
    }
  };
  const blocks = (tokens: Token[]): string =>
    tokens
      .map(block)
      .filter((text) => text.length > 0)
      .join('\n');
  return blocks(lex(content));
}
