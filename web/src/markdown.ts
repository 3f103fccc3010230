// Message formatting: a safe markdown subset (bold, italic, strike, inline code, code blocks, quotes,
// lists, links) rendered by `marked`, then sanitised by DOMPurify with an allow-list. Two layers on
// purpose: the renderer below already escapes raw HTML, drops images and refuses non-web links, and
// DOMPurify removes anything a future marked change might let through. Nothing here ever assigns
// innerHTML: the page gets a DocumentFragment (see MessageBody.tsx).
import DOMPurify from 'dompurify';
import { Marked, type Token, type Tokens } from 'marked';

/** Tags the formatted body may contain; everything else is removed with its markup (text kept). */
export const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span'];
/** Attributes kept: links' href (and the target/rel we set), list start, and the mention class. */
export const ALLOWED_ATTR = ['href', 'target', 'rel', 'start', 'class'];
const SAFE_URL = /^(https?:|mailto:)/i;
/** `@username` as the server resolves it (letters, digits, `_`, `.`, `-`), not inside a word or address. */
export const MENTION_PATTERN = /(^|[^\p{L}\p{N}_.@-])@([\p{L}\p{N}_][\p{L}\p{N}_.-]*[\p{L}\p{N}_]|[\p{L}\p{N}_])/gu;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** True for an absolute http(s) or mailto URL; everything else (javascript:, data:, relative) is refused. */
export function isSafeHref(href: string): boolean {
  return SAFE_URL.test(href.trim());
}

const md = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // Raw HTML in a message is text, never markup.
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    // No images: a message that embeds one shows its alt text (attachments are how images are sent).
    image({ text }: Tokens.Image) {
      return escapeHtml(text);
    },
    // Headings are not part of the subset: shown as a plain paragraph.
    heading({ tokens }: Tokens.Heading) {
      return `<p>${this.parser.parseInline(tokens)}</p>\n`;
    },
    hr() {
      return '<p>---</p>\n';
    },
    link({ href, tokens }: Tokens.Link) {
      const text = this.parser.parseInline(tokens);
      if (!isSafeHref(href)) return text;
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${text}</a>`;
    },
    text(token: Tokens.Text | Tokens.Escape) {
      if ('tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
      return markMentions(escapeHtml(token.text));
    },
  },
});

/** Wraps `@name` in already-escaped text in `<span class="mention">`. */
function markMentions(escaped: string): string {
  return escaped.replace(MENTION_PATTERN, (_all, before: string, name: string) => `${before}<span class="mention">@${name}</span>`);
}

/**
 * Markdown source → HTML string of the allowed subset (not yet sanitised; pure, so unit-testable
 * without a DOM), trimmed. Raw HTML comes out escaped, images as their alt text, unsafe links as their text.
 */
export function markdownToHtml(source: string): string {
  // Trimmed so the body's text is the message's text (no trailing newline after the last block).
  return (md.parse(source) as string).trim();
}

/**
 * A message's text without its markdown, for text shown outside the message body (the room list's
 * preview, desktop notifications): no `**`, backticks, `>` or list markers; code keeps its text,
 * links their label, images their alt text; blocks and line breaks become `\n`. The same lexer and
 * options as the body, so both read the same structure (the server's plainText does the same).
 */
export function markdownToPlainText(source: string): string {
  const inline = (tokens: Token[]): string => tokens.map(inlineText).join('');
  const childrenOf = (token: Token): Token[] => {
    if (token.type === 'list') return (token as Tokens.List).items;
    if (token.type === 'table') {
      const table = token as Tokens.Table;
      return [...table.header, ...table.rows.flat()].flatMap((cell) => cell.tokens);
    }
    return (token as { tokens?: Token[] }).tokens ?? [];
  };
  const inlineText = (token: Token): string => {
    switch (token.type) {
      case 'br':
        return '\n';
      case 'codespan':
      case 'escape':
      case 'html':
      case 'image':
        return (token as { text: string }).text;
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
        return (token as { text: string }).text;
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
  return blocks(md.lexer(source));
}

let hooked = false;
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (!isSafeHref(href)) node.removeAttribute('href');
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
    const cls = node.getAttribute('class');
    if (cls !== null && !(node.tagName === 'SPAN' && cls === 'mention')) node.removeAttribute('class');
  });
}

/** Sanitises HTML with the allow-list and returns DOM nodes (browser only; needs `document`). */
export function sanitizeToFragment(html: string): DocumentFragment {
  installHooks();
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false, RETURN_DOM_FRAGMENT: true });
}

/** Markdown source → sanitised DOM nodes for a message body. */
export function renderMessage(source: string): DocumentFragment {
  return sanitizeToFragment(markdownToHtml(source));
}
