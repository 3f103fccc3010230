import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentDisposition, inspectFile, looksLikeMarkup, PLAIN_TEXT, safeFileName } from './file-inspector';

describe('file inspection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
  const write = (name: string, bytes: Buffer | string): [string, number] => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return [path, Buffer.byteLength(bytes)];
  };

  it('detects accepted types by magic bytes and plain UTF-8 text', async () => {
    expect(await inspectFile(...write('a', Buffer.from('%PDF-1.7\n%%EOF\n')))).toMatchObject({ mime: 'application/pdf' });
    expect(await inspectFile(...write('b', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary')))).toMatchObject({ mime: 'image/gif', kind: 'image' });
    expect(await inspectFile(...write('c', 'just words, ünïcödé\n'))).toBe(PLAIN_TEXT);
  });

  it('refuses markup, invalid UTF-8, NUL bytes, unknown binaries and empty files', async () => {
    for (const bytes of ['<html><body>x</body></html>', '  <svg onload=alert(1)>', '<?xml version="1.0"?><a/>', Buffer.from([0xc3, 0x28]), Buffer.from('a\0b'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), '']) {
      expect(await inspectFile(...write('x', bytes))).toBeNull();
    }
  });

  it('tells markup from text that merely starts with "<"', () => {
    expect(looksLikeMarkup('<3 you')).toBe(false);
    expect(looksLikeMarkup('<P>paragraph')).toBe(true);
    expect(looksLikeMarkup('\uFEFF\n <!DOCTYPE html>')).toBe(true);
  });

  it('makes safe names with the right extension', () => {
    expect(safeFileName('../../a/b/report.pdf', { mime: 'application/pdf', extensions: ['pdf'], kind: 'file' })).toBe('report.pdf');
    expect(safeFileName('C:\\x\\photo.JPG', { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], kind: 'image' })).toBe('photo.JPG');
    expect(safeFileName('evil.html', PLAIN_TEXT)).toBe('evil.html.txt');
    expect(safeFileName(undefined, PLAIN_TEXT)).toBe('file.txt');
    expect(safeFileName('a\u0000b\u202e.txt', PLAIN_TEXT)).toBe('ab.txt');
    expect(safeFileName('x'.repeat(300) + '.txt', PLAIN_TEXT)).toHaveLength(200);
  });

  it('encodes Content-Disposition with an ASCII fallback', () => {
    expect(contentDisposition('attachment', 'résumé "final".pdf')).toBe(
      `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
  });
});
