import fc from 'fast-check';
import { CLIENT_FRAME_TYPES } from '../../src/realtime/ws-frame';
import { useTestApp } from '../helpers/app';
import { WsTestClient } from '../helpers/ws-client';
import { deepJson, objectFor, rawJsonText, resolveRefs, Schema, weirdString, weirdValue } from './arbitraries';
import { buildWorld, clip, compact, Counts, countsChanged, DbCounts, DISCOVER, Failure, FailureLog, FUZZ_RUNS, runProperty, show, World } from './harness';

/**
 * Property-based fuzzing of the WebSocket gateway: for every client frame type the gateway knows
 * (CLIENT_FRAME_TYPES, so a new type is fuzzed without touching this file), generated payloads,
 * ids and raw frames on an authenticated connection, and generated `auth` handshakes on
 * unauthenticated ones. Properties: no frame ever carries INTERNAL_ERROR, every frame with an id is
 * answered, the connection only closes for a documented reason, a socket authenticates at most
 * once, and refused frames leave the row counts of users, rooms and messages unchanged.
 */

const uuid: Schema = { type: 'string', format: 'uuid' };
const text: Schema = { type: 'string', maxLength: 4000 };

/** Payload fields per frame type (API.md "Client → server"); a type not listed is fuzzed with unknown fields only. */
const PAYLOADS: Record<string, Record<string, Schema>> = {
  auth: { token: { type: 'string' } },
  join_room: { room_id: uuid },
  leave_room: { room_id: uuid },
  send_message: { room_id: uuid, content: text, reply_to_id: uuid, attachment_ids: { type: 'array', items: uuid }, client_msg_id: { type: 'string' } },
  edit_message: { message_id: uuid, content: text },
  delete_message: { message_id: uuid },
  typing: { room_id: uuid },
  stop_typing: { room_id: uuid },
  mark_read: { room_id: uuid, seq: { type: 'integer' } },
  sync: { rooms: { type: 'object' } },
  ping: {},
};

/** Largest frame the gateway reads (API.md: bigger frames close 1009). */
const MAX_FRAME_BYTES = 64 * 1024;

/** One generated frame: a JSON frame (its id `auto` becomes a fresh unique id) or raw text. */
type GenFrame = { kind: 'json'; type: unknown; id: 'auto' | 'none' | { value: unknown }; payload: unknown; extra: Record<string, unknown> } | { kind: 'raw'; text: string };

/** Frames of one type: mostly well-formed with a hostile payload, sometimes with odd ids, extra keys or a non-object payload. */
function frameArb(type: string): fc.Arbitrary<GenFrame> {
  const schema: Schema = { type: 'object', properties: PAYLOADS[type] ?? {} };
  return fc.record({
    kind: fc.constant('json' as const),
    type: fc.oneof({ weight: 12, arbitrary: fc.constant<unknown>(type) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(type.toUpperCase(), ` ${type}`, `${type}\u0000`, [type], null, 1) }),
    id: fc.oneof(
      { weight: 8, arbitrary: fc.constant('auto' as const) },
      { weight: 1, arbitrary: fc.constant('none' as const) },
      { weight: 1, arbitrary: weirdValue.map((value) => ({ value })) },
    ),
    payload: fc.oneof({ weight: 8, arbitrary: objectFor(schema) }, { weight: 1, arbitrary: weirdValue }, { weight: 1, arbitrary: fc.constant(undefined) }),
    extra: fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(weirdString, weirdValue, { minKeys: 1, maxKeys: 2 }) }),
  });
}

/** Raw text frames: not JSON, not an object, nested far beyond any limit (within 64 KiB, so not closed for size), or too big. */
const rawFrameArb: fc.Arbitrary<GenFrame> = fc
  .oneof(
    { weight: 2, arbitrary: rawJsonText.filter((s) => s.length <= MAX_FRAME_BYTES) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...CLIENT_FRAME_TYPES), fc.integer({ min: 2, max: 12_000 }), fc.constantFrom('[', '{"a":'))
        .map(([type, depth, open]) => `{"type":"${type}","id":"deep","payload":{"x":${deepJson(depth, open)}}}`),
    },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: 32_000 }).map((depth) => `{"type":"sync","id":"deep","payload":{"rooms":${deepJson(depth, '[')}}}`) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '"auth"', '{"type":"ping","id":"' + 'x'.repeat(65) + '"}', '{"type":"ping","payload":[]}', '{"type":' + '"' + 'p'.repeat(70_000) + '"}') },
    { weight: 2, arbitrary: weirdString },
  )
  .map((t): GenFrame => ({ kind: 'raw', text: t }));

/** A case: one to three frames of one type sent back to back (so handlers also run concurrently). */
function caseArb(type: string): fc.Arbitrary<GenFrame[]> {
  return fc.array(frameArb(type), { minLength: 1, maxLength: 3 }).map((frames) => compact(frames));
}

/** A case of raw frames (one to three). */
const rawCaseArb = fc.array(rawFrameArb, { minLength: 1, maxLength: 3 }).map((frames) => compact(frames));

/** Whether a received frame carries INTERNAL_ERROR anywhere (an error frame, or a sync_result room entry). */
function internalError(raw: string): boolean {
  return raw.includes('"INTERNAL_ERROR"');
}

describe('fuzz: WebSocket frames (e2e)', () => {
  const { t } = useTestApp();
  let world: World;
  let counts: DbCounts;
  let sock: WsTestClient;
  let last: Counts;
  let seq = 0;
  /** Whether the last case sent frames whose answers were not awaited. */
  let unsettled = false;
  const log = new FailureLog();
  /** Frames received by the current socket that carry INTERNAL_ERROR. */
  let internal: string[] = [];

  /** Opens a socket, header-authenticated as A unless `anonymous`, watching every frame for INTERNAL_ERROR. */
  function open(anonymous = false): WsTestClient {
    const client = new WsTestClient(t.wsUrl, anonymous ? {} : { token: world.a.token });
    client.socket.on('message', (data) => {
      const raw = data.toString();
      if (internalError(raw)) internal.push(raw);
    });
    return client;
  }

  /** Replaces the authenticated socket (after a close), with a new world first when `rebuild`. */
  async function fresh(rebuild: boolean): Promise<void> {
    sock?.close();
    if (rebuild) world = await buildWorld(t.api);
    sock = open();
    await sock.next('auth_ok');
    last = await counts.read();
  }

  beforeAll(async () => {
    counts = new DbCounts();
    await fresh(true);
  });
  afterAll(async () => {
    sock?.close();
    await counts?.close();
  });

  /** Serialises a generated frame against the world; returns the text and the id it carries (if a usable one). */
  function encode(frame: GenFrame): { text: string; id?: string } {
    if (frame.kind === 'raw') return { text: resolveRefs(frame.text, world.values) };
    const id = frame.id === 'auto' ? `f${++seq}` : undefined;
    const obj: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(resolveRefs(frame.extra, world.values))) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
    obj.type = frame.type;
    if (id !== undefined) obj.id = id;
    else if (frame.id !== 'none' && frame.id !== 'auto') obj.id = frame.id.value;
    if (frame.payload !== undefined) obj.payload = resolveRefs(frame.payload, world.values);
    return { text: JSON.stringify(obj), id };
  }

  /**
   * Sends a case on the authenticated socket and waits for the answer of every frame with an id and
   * of a trailing ping. @returns a failure when a property does not hold.
   */
  async function exercise(type: string, frames: GenFrame[]): Promise<Failure | null> {
    internal = [];
    // Frames of the last case that were not awaited (no id of ours) may still be storing a message:
    // let them land before taking the counts this case is judged against.
    if (unsettled) {
      await new Promise((r) => setTimeout(r, 300));
      last = await counts.read();
    }
    unsettled = frames.some((f) => f.kind === 'raw' || f.id !== 'auto');
    const sent = frames.map(encode);
    const sentinel = `s${++seq}`;
    const tooBig = sent.some((s) => Buffer.byteLength(s.text) > MAX_FRAME_BYTES);
    const hasAuth = frames.some((f) => f.kind === 'json' && f.type === 'auth');
    const property = `frame ${type}`;
    const describe = () => `frames sent (as A, on an authenticated socket):\n${sent.map((s) => `  ${clip(s.text, 400)}`).join('\n')}`;
    const fail = (kind: string, detail = ''): Failure => ({ property, kind, report: `${detail}${detail ? '\n' : ''}${describe()}` });

    for (const s of sent) sock.send(s.text);
    sock.send({ type: 'ping', id: sentinel });
    const pending = sent.filter((s) => s.id).map((s) => sock.next((f) => f.id === s.id, 10_000));
    pending.forEach((p) => p.catch(() => undefined));
    // The trailing ping is answered once every frame before it has been read; a frame still
    // unanswered a second after that has been dropped, not delayed.
    const pong = await Promise.allSettled([sock.next((f) => f.id === sentinel, 10_000)]);
    const grace = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1 s of the answer to a later ping')), 1000));
    grace.catch(() => undefined);
    const answers = [...(await Promise.allSettled(pending.map((p) => Promise.race([p, grace])))), ...pong];
    const replies = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    // Raw frames carry no id of ours: give a late error frame a moment to arrive.
    if (frames.some((f) => f.kind === 'raw')) await new Promise((r) => setTimeout(r, 50));
    const closed = sock.socket.readyState >= 2 ? await sock.closed : undefined;
    // Let frames that trail the answers (events of a successful send) arrive before the next case.
    sock.frames.splice(0);

    const now = await counts.read();
    const changed = countsChanged(last, now);
    last = now;

    if (internal.length) return fail('INTERNAL_ERROR frame', `received: ${clip(internal[0], 400)}`);
    if (closed) {
      const expected = (tooBig && closed.code === 1009) || (hasAuth && closed.code === 4401);
      await fresh(false);
      if (!expected) return fail(`connection closed ${closed.code}`, `close: ${closed.code} ${show(closed.reason)}`);
      return null;
    }
    const missing = answers.find((a) => a.status === 'rejected');
    if (missing) return fail('frame not answered', (missing as PromiseRejectedResult).reason?.message);
    const allRefused = sent.every((s) => s.id) && replies.filter((r) => r.id !== sentinel).every((r) => r.type === 'error');
    if (allRefused && changed) return fail(`refused frames changed row counts: ${changed}`, `replies: ${clip(show(replies), 400)}`);
    // A successful leave or delete can take the world's room or message away: start over.
    if (replies.some((r) => r.type === 'ack' && r.id !== sentinel) && frames.some((f) => f.kind === 'json' && (f.type === 'leave_room' || f.type === 'delete_message'))) await fresh(true);
    return null;
  }

  /** Tokens a client might present in an `auth` frame. */
  const tokenArb = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('«token»', '«refresh»', '«token»x', ' «token»', '«TOKEN»', 'Bearer «token»') },
    { weight: 3, arbitrary: weirdString },
    { weight: 1, arbitrary: weirdValue },
  );
  /** A pre-auth case: mostly auth frames (sometimes two valid ones back to back), sometimes anything else. */
  const handshakeArb = fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.record({ token: tokenArb, extra: fc.oneof(fc.constant({}), fc.dictionary(weirdString, weirdValue, { maxKeys: 2 })) }).map(({ token, extra }) => ({ type: 'auth', id: 'a', payload: { ...extra, token } })) },
        { weight: 1, arbitrary: fc.record({ type: fc.constantFrom(...CLIENT_FRAME_TYPES), id: fc.constant('x'), payload: weirdValue }) },
        { weight: 1, arbitrary: fc.constant({ type: 'auth', payload: { token: '«token»' } }).chain((f) => fc.constant([f, f])) },
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((xs) => compact(xs.flat()));

  /** Opens an unauthenticated socket, sends the case and waits for it to settle. */
  async function handshake(frames: object[]): Promise<Failure | null> {
    internal = [];
    const client = open(true);
    const describe = () => `frames sent on an unauthenticated socket:\n${frames.map((f) => `  ${clip(JSON.stringify(resolveRefs(f, world.values)), 400)}`).join('\n')}`;
    try {
      await client.next('auth_required');
      for (const f of frames) client.send(resolveRefs(f, world.values));
      // Settled: closed, or answered a ping after everything else.
      const settled = await Promise.race([client.closed, client.request('ping', undefined, 5000).then(() => 'open' as const)]).catch((err: Error) => `no answer: ${err.message}`);
      const got = [...client.frames];
      const authOks = got.filter((f) => f.type === 'auth_ok').length;
      if (internal.length) return { property: 'auth handshake', kind: 'INTERNAL_ERROR frame', report: `received: ${clip(internal[0], 400)}\n${describe()}` };
      if (authOks > 1) return { property: 'auth handshake', kind: 'two auth_ok on one socket', report: `received: ${clip(show(got.map((f) => f.type)), 400)}\n${describe()}` };
      if (typeof settled === 'string' && settled !== 'open') return { property: 'auth handshake', kind: 'no answer', report: `${settled}\n${describe()}` };
      if (typeof settled === 'object' && ![4401, 1009].includes(settled.code)) return { property: 'auth handshake', kind: `closed ${settled.code}`, report: `close: ${settled.code} ${show(settled.reason)}\n${describe()}` };
      return null;
    } finally {
      client.close();
      await Promise.race([client.closed, new Promise((r) => setTimeout(r, 1000))]);
    }
  }

  it(
    'no frame type ever yields INTERNAL_ERROR, an unanswered frame or an unexpected close; refused frames change no rows',
    async () => {
      const types = [...CLIENT_FRAME_TYPES];
      expect(types.length).toBeGreaterThan(5);
      const reports: string[] = [];
      for (const type of types) {
        const report = await runProperty(`frame ${type}`, caseArb(type), (frames) => exercise(type, frames), log);
        if (report) reports.push(report);
      }
      const raw = await runProperty('raw frames', rawCaseArb, (frames) => exercise('raw', frames), log);
      if (raw) reports.push(raw);
      const report = await runProperty('auth handshake', handshakeArb, handshake, log, Math.max(10, Math.ceil(FUZZ_RUNS / 2)));
      if (report) reports.push(report);
      if (DISCOVER && log.failures.length) console.log(log.summary());
      if (reports.length || log.failures.length) throw new Error(`${reports.length} of ${types.length + 2} frame properties failed:\n\n${reports.join('\n\n')}`);
    },
    20 * 60_000,
  );
});
