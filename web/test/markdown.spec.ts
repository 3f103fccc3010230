import { isSafeHref, markdownToHtml } from '../src/markdown';

describe('message markdown', () => {
  it('renders the subset: bold, italic, strike, inline code, code blocks, quotes, lists', () => {
    const html = markdownToHtml('**b** _i_ ~~s~~ `c`\n\n```\nx < y\n```\n\n> q\n\n- one\n- two\n\n1. a');
    expect(html).toContain('<strong>b</strong>');
    expect(html).toContain('<em>i</em>');
    expect(html).toContain('<del>s</del>');
    expect(html).toContain('<code>c</code>');
    expect(html).toMatch(/<pre><code>x &lt; y\n<\/code><\/pre>/);
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<ul>\n<li>one</li>');
    expect(html).toContain('<ol>');
  });

  it('makes links clickable in a new tab without opener or referrer', () => {
    expect(markdownToHtml('see https://example.com/a?b=1')).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">https://example.com/a?b=1</a>');
    expect(markdownToHtml('[docs](https://example.com)')).toContain('<a href="https://example.com" target="_blank" rel="noopener noreferrer">docs</a>');
  });

  it('keeps script-like content inert: raw HTML escaped, no images, no javascript: links', () => {
    const html = markdownToHtml('<img src=x onerror=alert(1)> <script>alert(2)</script>\n\n![pic](https://e.com/x.png) [x](javascript:alert(1)) [y](data:text/html,hi)');
    expect(html).not.toMatch(/<img|<script|href="javascript|href="data/i);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('pic');
    expect(html).toMatch(/>x<|\bx\b/);
  });

  it('marks @mentions but not e-mail addresses', () => {
    expect(markdownToHtml('hi @bob.s, mail a@b.c')).toBe('<p>hi <span class="mention">@bob.s</span>, mail <a href="mailto:a@b.c" target="_blank" rel="noopener noreferrer">a@b.c</a></p>');
  });

  it('accepts only web and mail URLs', () => {
    expect(isSafeHref('https://x')).toBe(true);
    expect(isSafeHref('mailto:a@b.c')).toBe(true);
    expect(isSafeHref(' javascript:alert(1)')).toBe(false);
    expect(isSafeHref('JaVaScRiPt:x')).toBe(false);
    expect(isSafeHref('/relative')).toBe(false);
  });
});
