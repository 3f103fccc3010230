import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { APP_CONFIG } from '../src/config/config.module';
import type { AppConfig } from '../src/config/app-config';
import { createRoom, expectError, http, HttpResult, registerUser, TestUser } from './helpers/http';
import { startTestApp, TestApp } from './helpers/app';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e5a0a20000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
const WAV = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([36, 0, 0, 0]),
  Buffer.from('WAVEfmt '),
  Buffer.from([16, 0, 0, 0, 1, 0, 1, 0, 0x44, 0xac, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0]),
  Buffer.from('data'),
  Buffer.alloc(4),
]);
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');
const XML_SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(3)</script></svg>');

/**
 * Attachments: type from magic bytes only (never the name or the client's Content-Type), markup
 * refused, size limit (413), aborted uploads leaving no temporary file, sanitised names, downloads
 * only for the uploader and members of rooms where the file was posted, and messages carrying them.
 */
describe('uploads (e2e)', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    t = await startTestApp();
    dataDir = t.app.get<AppConfig>(APP_CONFIG).dataDir;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Posts one multipart file the way a browser would. */
  async function upload(user: TestUser | null, bytes: Buffer, name: string, type = 'application/octet-stream', field = 'file'): Promise<HttpResult> {
    const form = new FormData();
    form.append(field, new Blob([bytes], { type }), name);
    const res = await fetch(`${t.api}/uploads`, { method: 'POST', body: form, headers: user ? { authorization: `Bearer ${user.token}` } : {} });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: res.status, body, headers: res.headers };
  }

  const download = (user: TestUser, url: string) => fetch(`${t.origin}${url}`, { headers: { authorization: `Bearer ${user.token}` } });
  const tempFiles = () => {
    const dir = join(dataDir, 'uploads', 'tmp');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it('stores accepted types decided by content and serves them back to the uploader with safe headers', async () => {
    const alice = await registerUser(t.api);
    const png = await upload(alice, PNG, 'dot.png', 'image/png');
    expect(png.status).toBe(201);
    expect(png.body).toEqual({ id: expect.any(String), url: `/api/v1/uploads/${png.body.id}`, mime: 'image/png', size: PNG.length, name: 'dot.png' });
    const res = await download(alice, png.body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="dot.png"; filename*=UTF-8''dot.png`);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);

    const wav = await upload(alice, WAV, 'beep.wav');
    expect(wav.body).toMatchObject({ mime: 'audio/wav', name: 'beep.wav' });
    const text = await upload(alice, Buffer.from('plain notes\nwith ünïcödé ✓\n'), 'notes.txt', 'text/plain');
    expect(text.body).toMatchObject({ mime: 'text/plain', name: 'notes.txt' });
    const served = await download(alice, text.body.url);
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(await served.text()).toBe('plain notes\nwith ünïcödé ✓\n');
  });

  it('ignores the name and the client\'s Content-Type: wrong extension and spoofed types', async () => {
    const alice = await registerUser(t.api);
    // A PDF named like an image keeps its real type, and its name gets the right extension.
    const pdf = await upload(alice, PDF, 'holiday.png', 'image/png');
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({ mime: 'application/pdf', name: 'holiday.png.pdf' });
    const res = await download(alice, pdf.body.url);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="holiday.png.pdf"/);
    // A PNG sent as text/html under an .html name is still a PNG.
    const png = await upload(alice, PNG, 'page.html', 'text/html');
    expect(png.body).toMatchObject({ mime: 'image/png', name: 'page.html.png' });
    // Plain text under an executable-looking name stays text.
    const txt = await upload(alice, Buffer.from('echo hi\n'), 'run.sh', 'application/x-sh');
    expect(txt.body).toMatchObject({ mime: 'text/plain', name: 'run.sh.txt' });
  });

  it('refuses HTML, SVG, XML, binary junk and empty files (415), whatever they claim to be', async () => {
    const alice = await registerUser(t.api);
    const cases: [Buffer, string, string][] = [
      [HTML, 'page.html', 'text/html'],
      [HTML, 'innocent.png', 'image/png'],
      [Buffer.concat([Buffer.from('\uFEFF  \n'), HTML]), 'bom.txt', 'text/plain'],
      [SVG, 'logo.svg', 'image/svg+xml'],
      [SVG, 'logo.png', 'image/png'],
      [XML_SVG, 'logo.txt', 'text/plain'],
      [Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x7f]), 'blob.bin', 'application/octet-stream'],
      [Buffer.from([0xc3, 0x28, 0x41]), 'bad-utf8.txt', 'text/plain'],
      [Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'binary'), 'setup.exe', 'application/x-msdownload'],
      [Buffer.alloc(0), 'empty.txt', 'text/plain'],
    ];
    for (const [bytes, name, type] of cases) {
      const res = await upload(alice, bytes, name, type);
      expect({ name, status: res.status }).toEqual({ name, status: 415 });
      expectError(res, 415, 'UPLOAD_TYPE_NOT_ALLOWED');
    }
    expect(tempFiles()).toEqual([]);
  });

  it('refuses a file over UPLOAD_MAX_BYTES with 413 and accepts one exactly at the limit', async () => {
    const alice = await registerUser(t.api);
    const limit = t.app.get<AppConfig>(APP_CONFIG).uploadMaxBytes;
    const over = await upload(alice, Buffer.alloc(limit + 1, 'a'), 'big.txt', 'text/plain');
    expectError(over, 413, 'UPLOAD_TOO_LARGE');
    const exact = await upload(alice, Buffer.alloc(limit, 'a'), 'exact.txt', 'text/plain');
    expect(exact.status).toBe(201);
    expect(exact.body.size).toBe(limit);
    expect(tempFiles()).toEqual([]);
  });

  it('leaves no temporary file behind when the client aborts mid-upload', async () => {
    const alice = await registerUser(t.api);
    const { port } = new URL(t.origin);
    const boundary = '----abort-test';
    const head =
      `POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${alice.token}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 1000000\r\n\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="partial.txt"\r\nContent-Type: text/plain\r\n\r\n`;
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(head);
    socket.write(Buffer.alloc(200_000, 'a'));
    // Let the server start writing the temporary file, then vanish.
    for (let i = 0; i < 50 && tempFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tempFiles().length).toBe(1);
    socket.destroy();
    for (let i = 0; i < 100 && tempFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tempFiles()).toEqual([]);
    // Nothing was recorded either: the server still answers normally.
    expect((await upload(alice, PNG, 'after.png')).status).toBe(201);
  });

  it('strips path components from the file name; storage uses generated names only', async () => {
    const alice = await registerUser(t.api);
    for (const [given, expected] of [
      ['../../../../etc/passwd.txt', 'passwd.txt'],
      ['..\\..\\windows\\win.ini.txt', 'win.ini.txt'],
      ['/absolute/notes.txt', 'notes.txt'],
      ['..', 'file.txt'],
      ['\u202Etxt.exe', 'txt.exe.txt'],
    ]) {
      const res = await upload(alice, Buffer.from('text'), given, 'text/plain');
      expect({ given, status: res.status, name: res.body.name }).toEqual({ given, status: 201, name: expected });
    }
    // Everything stored lives in two-character fan-out directories under DATA_DIR/uploads.
    const entries = readdirSync(join(dataDir, 'uploads')).filter((e) => e !== 'tmp');
    expect(entries.every((e) => /^[0-9a-f]{2}$/.test(e))).toBe(true);
    expect(existsSync(join(dataDir, 'etc'))).toBe(false);
    expect(existsSync(join(dataDir, 'uploads', 'etc'))).toBe(false);
  });

  it('refuses bad requests: anonymous (401), not multipart (415), no file field (400), two files (400)', async () => {
    const alice = await registerUser(t.api);
    expectError(await upload(null, PNG, 'dot.png'), 401);
    expectError(await http(t.api, 'POST', '/uploads', { token: alice.token, body: { file: 'nope' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await upload(alice, PNG, 'dot.png', 'image/png', 'attachment'), 400, 'VALIDATION_FAILED');
    const onlyField = new FormData();
    onlyField.append('note', 'no file here');
    const res = await fetch(`${t.api}/uploads`, { method: 'POST', body: onlyField, headers: { authorization: `Bearer ${alice.token}` } });
    expect(res.status).toBe(400);
    const two = new FormData();
    two.append('file', new Blob([PNG]), 'a.png');
    two.append('file', new Blob([PNG]), 'b.png');
    const twoRes = await fetch(`${t.api}/uploads`, { method: 'POST', body: two, headers: { authorization: `Bearer ${alice.token}` } });
    expect(twoRes.status).toBe(400);
    expectError(await http(t.api, 'GET', '/uploads/not-a-uuid', { token: alice.token }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'GET', '/uploads/00000000-0000-4000-8000-000000000000', { token: alice.token }), 404, 'UPLOAD_NOT_FOUND');
    expect(tempFiles()).toEqual([]);
  });

  it('attaches own uploads to messages, sets the type, and serves them only to the uploader and room members', async () => {
    const [alice, bob, eve] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const room = await createRoom(t.api, alice, 'private');
    await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: alice.token, body: { user_ids: [bob.id] } });
    const png = (await upload(alice, PNG, 'dot.png')).body;
    const wav = (await upload(alice, WAV, 'beep.wav')).body;
    const evesFile = (await upload(eve, PDF, 'eve.pdf')).body;

    // Before posting, only the uploader can read it.
    expect((await download(bob, png.url)).status).toBe(404);
    expect((await download(alice, png.url)).status).toBe(200);

    // Refusals: someone else's upload, an unknown id, duplicates, malformed ids.
    for (const ids of [[evesFile.id], ['00000000-0000-4000-8000-000000000000'], [png.id, png.id], ['nope']]) {
      expectError(await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { attachment_ids: ids } }), 400, 'VALIDATION_FAILED');
    }
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: bob.token, body: { attachment_ids: [png.id] } }), 400, 'VALIDATION_FAILED');

    const sent = await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { attachment_ids: [png.id, wav.id] } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ type: 'image', content: null });
    expect(sent.body.attachments).toEqual([
      { id: png.id, url: png.url, mime: 'image/png', size: PNG.length, name: 'dot.png' },
      { id: wav.id, url: wav.url, mime: 'audio/wav', size: WAV.length, name: 'beep.wav' },
    ]);
    const voice = await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'listen', attachment_ids: [wav.id] } });
    expect(voice.body).toMatchObject({ type: 'audio', content: 'listen', attachments: [{ id: wav.id }] });
    const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: bob.token });
    // items[0] is the system line of bob's add.
    expect(history.body.items.map((m: any) => m.id)).toEqual([expect.any(String), sent.body.id, voice.body.id]);
    expect(history.body.items[1].attachments.map((a: any) => a.id)).toEqual([png.id, wav.id]);

    // Members can read it now; outsiders cannot.
    const asBob = await download(bob, png.url);
    expect(asBob.status).toBe(200);
    expect(asBob.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await download(eve, png.url)).status).toBe(404);

    // Deleting the message (and leaving the room) takes the access away again.
    await http(t.api, 'DELETE', `/messages/${sent.body.id}`, { token: alice.token });
    expect((await download(bob, png.url)).status).toBe(404);
    expect((await download(bob, wav.url)).status).toBe(200);
    await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: bob.token });
    expect((await download(bob, wav.url)).status).toBe(404);
    expect((await download(alice, png.url)).status).toBe(200);
  });
});
