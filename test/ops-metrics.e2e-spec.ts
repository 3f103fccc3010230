import { startTestApp, TestApp, useTestApp } from './helpers/app';
import { createRoom, http, registerUser } from './helpers/http';

const TOKEN = 'scrape-d41d8cd98f00b204e9800998ecf8427e';

/** One sample of the Prometheus text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format strictly: every line is a comment or a valid sample. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}): number =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

async function scrape(t: TestApp, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.origin}/metrics`, { headers });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe('GET /metrics (e2e)', () => {
  const { t, ws } = useTestApp({ METRICS: 'on', METRICS_TOKEN: TOKEN });

  it('refuses scrapes without the bearer token, or with a wrong one (401)', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }];
    for (const headers of attempts) {
      const res = await scrape(t, headers);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ status_code: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('serves parseable Prometheus text with every chat metric, and a send moves chat_messages_stored_total', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const alice = await registerUser(t.api);
    const bob = await registerUser(t.api);
    const room = await createRoom(t.api, alice);
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    const bobWs = await ws(bob);
    const before = await scrape(t, auth);
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const first = parsePrometheus(before.text);

    const aliceWs = await ws(alice);
    await aliceWs.request('send_message', { room_id: room.id, content: 'over the socket', client_msg_id: 'm-1' });
    // A retry of the same client_msg_id stores nothing.
    await aliceWs.request('send_message', { room_id: room.id, content: 'over the socket', client_msg_id: 'm-1' });
    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'over REST' } });
    await bobWs.next('new_message');
    await bobWs.next('new_message');
    await http(t.api, 'GET', `/rooms/00000000-0000-4000-8000-000000000000`, { token: alice.token });
    aliceWs.send({ type: 'no_such_frame' });
    await aliceWs.next('error');

    const after = parsePrometheus((await scrape(t, auth)).text);
    const types = after.types;
    expect(types.get('chat_ws_connections')).toBe('gauge');
    expect(types.get('chat_ws_frames_total')).toBe('counter');
    expect(types.get('chat_messages_stored_total')).toBe('counter');
    expect(types.get('chat_message_batch_size')).toBe('histogram');
    expect(types.get('chat_message_commit_seconds')).toBe('histogram');
    expect(types.get('chat_fanout_deliveries_total')).toBe('counter');
    expect(types.get('chat_http_requests_total')).toBe('counter');
    expect(types.get('chat_errors_total')).toBe('counter');
    expect(types.get('chat_db_pool_waiting')).toBe('gauge');
    expect(types.get('process_cpu_seconds_total')).toBe('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');

    const s = after.samples;
    expect(value(s, 'chat_messages_stored_total') - value(first.samples, 'chat_messages_stored_total')).toBe(2);
    expect(value(s, 'chat_ws_connections')).toBeGreaterThanOrEqual(2);
    expect(value(s, 'chat_ws_frames_total', { type: 'send_message' }) - value(first.samples, 'chat_ws_frames_total', { type: 'send_message' })).toBe(2);
    expect(value(s, 'chat_ws_frames_total', { type: 'unknown' })).toBeGreaterThanOrEqual(1);
    expect(value(s, 'chat_message_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(value(s, 'chat_message_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(s, 'chat_fanout_deliveries_total') - value(first.samples, 'chat_fanout_deliveries_total')).toBeGreaterThanOrEqual(4);
    expect(value(s, 'chat_db_pool_waiting')).toBeGreaterThanOrEqual(0);
    // Route patterns, never raw URLs: the room id does not appear as a label.
    expect(value(s, 'chat_http_requests_total', { route: '/api/v1/rooms/:id', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(value(s, 'chat_http_requests_total', { route: '/api/v1/rooms/:id/messages', status: '201' })).toBeGreaterThanOrEqual(1);
    expect(after.samples.some((x) => Object.values(x.labels).some((v) => v.includes(room.id)))).toBe(false);
    expect(value(s, 'chat_errors_total', { code: 'ROOM_NOT_FOUND' })).toBeGreaterThanOrEqual(1);
    expect(value(s, 'chat_errors_total', { code: 'UNAUTHORIZED' })).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /metrics access without a token (e2e)', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('is 404 when METRICS is off (the default)', async () => {
    const off = await startTestApp();
    apps.push(off);
    expect((await scrape(off)).status).toBe(404);
  });

  it('serves loopback clients only, and does not believe X-Forwarded-For from an untrusted peer', async () => {
    const open = await startTestApp({ METRICS: 'on' });
    apps.push(open);
    expect((await scrape(open)).status).toBe(200);
    // A loopback peer forwarding for someone else is a proxy that TRUST_PROXY does not list.
    const forwarded = await scrape(open, { 'x-forwarded-for': '203.0.113.7' });
    expect(forwarded.status).toBe(403);
    expect(JSON.parse(forwarded.text)).toMatchObject({ code: 'FORBIDDEN' });
    expect((await scrape(open, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(403);
  });

  it('behind a trusted proxy judges the forwarded client address', async () => {
    const proxied = await startTestApp({ METRICS: 'on', TRUST_PROXY: '127.0.0.1' });
    apps.push(proxied);
    expect((await scrape(proxied, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(403);
    expect((await scrape(proxied, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(200);
  });
});
