// What a message's markdown says outside its rendered body — its plain text (push previews, the web
// client's room-list preview and desktop notifications) and its runs of prose (where `@name` is a
// mention) — in one module that the server and the web client both import, so the two can never
// read the same text differently.
//
// Why it lives here: `nest build` (tsconfig.build.json) compiles everything under src/, and Vite
// bundles whatever web/src imports, also outside web/ (the files under src/ are inside Vite's
// workspace root, the folder of package.json). So it must run in both places: it imports `marked`
// and nothing else (no Node or DOM APIs; eslint.config.mjs refuses any other import and those
// globals in src/shared/). marked is ES-module-only: the server, a CommonJS build, loads it with
// require(esm) (Node >= 20.19; tsconfig.json's `module: node20` models exactly that, and jest
// transforms it, see jest.config.js); Vite imports it as the ES module it is.
import { Lexer, type Token, type Tokens } from 'marked';

/**
 * The options of every `marked` lexer and renderer that reads message text: GitHub-flavoured, single
 * line breaks kept. The web client renders message bodies with them (web/src/markdown.ts), and the
 * server's mention tokeniser and plain text lex with them here, so all agree on what is code and
 * what is prose.
 */
export const MARKED_OPTIONS = { gfm: true, breaks: true } as const;

/** The block and inline tokens of a message's markdown (marked's lexer; never throws on any input). */
function lex(content: string): Token[] {
  return new Lexer(MARKED_OPTIONS).lex(content);
}

/** The children of a token that hold text, in reading order (list items, table cells, inline tokens). */
function childrenOf(token: Token): Token[] {
  if (token.type === 'list') return (token as Tokens.List).items;
  if (token.type === 'table') {
    const table = token as Tokens.Table;
    return [...table.header, ...table.rows.flat()].flatMap((cell) => cell.tokens);
  }
  return (token as { tokens?: Token[] }).tokens ?? [];
}

/** The text a leaf token carries (code, escapes, raw HTML, image alt text). */
function textOf(token: Token): string {
  return (token as { text?: string }).text ?? '';
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
      else if (token.type === 'text' || token.type === 'escape') runs.push(textOf(token));
    }
  };
  visit(lex(content));
  return runs;
}

/**
 * A mention token: `@` at the start of a run or after a character that is not a word character (so
 * `alice@example.com` names nobody), then a run of the characters usernames may hold
 * (`[A-Za-z0-9_.-]`, see USERNAME_PATTERN in src/auth/dto/auth.dto.ts).
 */
const MENTION_TOKEN = /(?<![A-Za-z0-9_])@([A-Za-z0-9_.-]+)/g;

/** Usernames are 3..32 characters of that set. */
const USERNAME_RUN = /^[A-Za-z0-9_.-]{3,32}$/;

/** One `@name` in a run of prose (see {@link mentionsIn}). */
export interface MentionToken {
  /** Offset of the `@` in the run, in UTF-16 code units. */
  index: number;
  /** The name as written after the `@`, trailing `.`, `-` or `_` dropped when the rest is a username: what a page marks. */
  shown: string;
  /** The lower-cased usernames it may name, most literal first: the whole run, then the run without its trailing punctuation. */
  names: string[];
}

/**
 * The `@name` mentions of one run of prose (from {@link proseRuns}), in order: the one rule by which
 * the server resolves mentions and the web client marks them. A run that ends in `.`, `-` or `_`
 * ("thanks @bob.") may name either the whole run or the run without that punctuation (whichever is a
 * member); tokens that can be no username (too short or too long) are left out.
 * @param run one run of prose, any length
 */
export function mentionsIn(run: string): MentionToken[] {
  const found: MentionToken[] = [];
  for (const match of run.matchAll(MENTION_TOKEN)) {
    const written = match[1];
    const trimmed = written.replace(/[._-]+$/, '');
    const names = [...new Set([written, trimmed].map((n) => n.toLowerCase()))].filter((n) => USERNAME_RUN.test(n));
    if (names.length === 0) continue;
    found.push({ index: match.index, shown: USERNAME_RUN.test(trimmed) ? trimmed : written, names });
  }
  return found;
}

/**
 * A message's text without its markdown, for text shown outside the message body (push previews,
 * the room list's preview, desktop notifications): no `**`, backticks, `>` or list markers; code
 * keeps its text, links their label, images their alt text; blocks and line breaks become `\n`
 * (callers collapse white space as they need).
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
        return textOf(token);
      default: {
        const children = childrenOf(token);
        return children.length > 0 ? inline(children) : textOf(token);
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
        return textOf(token);
      case 'list':
        return (token as Tokens.List).items.map((item) => blocks(item.tokens)).join('\n');
      case 'blockquote':
        return blocks((token as Tokens.Blockquote).tokens);
      case 'table': {
        const table = token as Tokens.Table;
        return [table.header, ...table.rows].map((row) => row.map((cell) => inline(cell.tokens)).join(' ')).join('\n');
      }
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

/**
 * A message's plain text on one line, for a preview: {@link plainText} with white space collapsed,
 * cut to `maxChars` characters (Unicode code points, so an emoji is never split; a cut text ends in
 * `…` within the limit). The one preview rule of push previews, desktop notifications and the room
 * list.
 * @param content message text (markdown); null or empty gives ''
 * @param maxChars longest result in code points, at least 1 (no limit by default)
 * @returns '' when the message has no text (only markup, or nothing)
 */
export function previewText(content: string | null | undefined, maxChars = Infinity): string {
  const text = plainText(content).replace(/\s+/g, ' ').trim();
  if (text.length <= maxChars) return text;
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : chars.slice(0, maxChars - 1).join('') + '…';
}
