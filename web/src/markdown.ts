// Message formatting: a safe markdown subset (bold, italic, strike, inline code, code blocks, quotes,
// lists, links) rendered by `marked`, then sanitised by DOMPurify with an allow-list. Two layers on
// purpose: the renderer below already escapes raw HTML, drops images and refuses non-web links, and
// DOMPurify removes anything a future marked change might let through. Nothing here ever assigns
// innerHTML: the page gets a DocumentFragment (see MessageBody.tsx).
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { MARKED_OPTIONS, mentionsIn } from '../../src/shared/markdown-text';

/** Tags the formatted body may contain; everything else is removed with its markup (text kept). */
export const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span'];
/** Attributes kept: links' href (and the target/rel we set), list start, and the mention class. */
export const ALLOWED_ATTR = ['href', 'target', 'rel', 'start', 'class'];
const SAFE_URL = /^(https?:|mailto:)/i;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** True for an absolute http(s) or mailto URL; everything else (javascript:, data:, relative) is refused. */
export function isSafeHref(href: string): boolean {
  return SAFE_URL.test(href.trim());
}

// The lexer options are the shared ones, so the server's mention tokeniser and plain text read the
// same structure the page renders.
const md = new Marked({
  ...MARKED_OPTIONS,
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
      return markMentions(token.text);
    },
  },
});

/**
 * A run of prose (raw text) → escaped HTML with each `@name` in `<span class="mention">`, by the
 * server's own rule (mentionsIn), so the page marks exactly the names the server may resolve.
 */
function markMentions(text: string): string {
  let html = '';
  let at = 0;
  for (const { index, shown } of mentionsIn(text)) {
    html += `${escapeHtml(text.slice(at, index))}<span class="mention">@${escapeHtml(shown)}</span>`;
    at = index + 1 + shown.length;
  }
  return html + escapeHtml(text.slice(at));
}

/**
 * Markdown source → HTML string of the allowed subset (not yet sanitised; pure, so unit-testable
 * without a DOM), trimmed. Raw HTML comes out escaped, images as their alt text, unsafe links as their text.
 */
export function markdownToHtml(source: string): string {
  // Trimmed so the body's text is the message's text (no trailing newline after the last block).
  return (md.parse(source) as string).trim();
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
