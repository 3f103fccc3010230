import fc from 'fast-check';
import { useTestApp } from '../helpers/app';
import { bodyFor, Body, encodeLoose, encodePart, plausible, queryValue, rawUrlPart, resolveRefs, Schema, UrlPart, weirdString, weirdUuid } from './arbitraries';
import { buildWorld, clip, compact, Counts, countsChanged, DbCounts, DISCOVER, errorShapeProblem, Failure, FailureLog, FUZZ_RUNS, PNG, runProperty, show, World } from './harness';

/**
 * Property-based fuzzing of every REST route the OpenAPI document lists (read from `/docs-json` of
 * the running app, so new routes are fuzzed without touching this file): generated path params,
 * query strings, bodies and credentials against the real app and database. For every response:
 * never a 5xx, every 4xx in API.md's error shape, and a refused (4xx) request leaves the row counts
 * of users, rooms and messages unchanged.
 */

/** One operation of the OpenAPI document. */
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema?: Schema }[];
  jsonBody?: Schema;
  multipart?: Schema;
}

/** A generated request; placeholders are resolved against the world when sent. */
interface FuzzRequest {
  auth: 'A' | 'B' | 'none' | string;
  params: Record<string, UrlPart>;
  query: [string, UrlPart | UrlPart[] | undefined][];
  body: Body | { kind: 'multipart'; bytes: Buffer; contentType: string; describe: string };
}

/**
 * Successful non-GET operations that leave the world usable; any other success (logout, deleting
 * a room or the account, revoking a session, a new route) rebuilds the world before the next case.
 */
const HARMLESS_SUCCESS = new Set([
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'PATCH /api/v1/auth/me',
  'POST /api/v1/rooms',
  'PATCH /api/v1/rooms/{id}',
  'POST /api/v1/rooms/{id}/join',
  'POST /api/v1/rooms/{id}/members',
  'POST /api/v1/rooms/{id}/messages',
  'POST /api/v1/rooms/{id}/read',
  'PATCH /api/v1/messages/{id}',
  'PUT /api/v1/messages/{id}/reactions/{emoji}',
  'DELETE /api/v1/messages/{id}/reactions/{emoji}',
  'POST /api/v1/dm',
  'POST /api/v1/uploads',
]);

/** Credentials: mostly A's (the owner, so access checks pass), sometimes B's, none or garbage. */
const authArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant('A') },
  { weight: 2, arbitrary: fc.constant('B') },
  { weight: 1, arbitrary: fc.constant('none') },
  { weight: 1, arbitrary: fc.constantFrom('Bearer x', `Bearer ${'a'.repeat(5000)}`, 'Basic YTpi', 'Bearer «refresh»', 'bearer «token»', 'Bearer «token»x', 'Bearer', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.') },
);

/** The real value a path parameter usually takes, by name and route. */
function fixtureParam(path: string, name: string, schema: Schema | undefined): fc.Arbitrary<UrlPart> {
  if (name === 'id') {
    if (path.startsWith('/api/v1/rooms')) return fc.constantFrom('«room»', '«private»');
    if (path.startsWith('/api/v1/messages')) return fc.constant('«message»');
    if (path.startsWith('/api/v1/users')) return fc.constantFrom('«userB»', '«userA»');
    if (path.startsWith('/api/v1/auth/sessions')) return fc.constant('«session»');
    if (path.startsWith('/api/v1/uploads')) return fc.constant('«upload»');
  }
  if (name === 'user_id') return fc.constantFrom('«userB»', '«userC»', '«userA»');
  if (name === 'emoji') return fc.constantFrom('👍', '❤️', '🎉', 'a', '👨‍👩‍👧');
  return plausible(name, schema ?? { type: 'string' }).map(String);
}

/** Multipart bodies: a real file most of the time, with hostile names, types, fields and framing. */
function multipartArb(fileField: string): fc.Arbitrary<FuzzRequest['body']> {
  const data = fc.oneof(
    { weight: 4, arbitrary: fc.constant(PNG) },
    { weight: 1, arbitrary: fc.constant(Buffer.from('%PDF-1.4\n%%EOF\n')) },
    { weight: 1, arbitrary: fc.constant(Buffer.from('plain text\u0000with NUL\n')) },
    { weight: 1, arbitrary: fc.constant(Buffer.from('<svg onload="x()"></svg>')) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }).map((u) => Buffer.from(u)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.concat([PNG.subarray(0, 16), Buffer.from(u)])) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(4 * 1024 * 1024 + 1, 0x41)) },
  );
  const part = fc.record({
    field: fc.oneof({ weight: 5, arbitrary: fc.constant(fileField) }, { weight: 1, arbitrary: weirdString }),
    filename: fc.oneof(fc.constant<string | undefined>(undefined), fc.constantFrom('dot.png', 'a'.repeat(300) + '.png', '../../etc/passwd', 'x.html', '.png', ''), weirdString),
    type: fc.oneof(fc.constant<string | undefined>(undefined), fc.constantFrom('image/png', 'text/html', 'application/json', 'image/svg+xml'), weirdString),
    data,
  });
  const framing = fc.constantFrom('ok', 'ok', 'ok', 'ok', 'no-final-boundary', 'wrong-boundary', 'no-boundary-param', 'lf-only', 'empty', 'json-content-type');
  return fc.tuple(fc.array(part, { minLength: 0, maxLength: 3 }), framing).map(([parts, frame]) => {
    const boundary = '----fuzzboundary7MA4YWxkTrZu0gW';
    const nl = frame === 'lf-only' ? '\n' : '\r\n';
    const chunks: Buffer[] = [];
    for (const p of parts) {
      let head = `--${boundary}${nl}Content-Disposition: form-data; name="${p.field}"`;
      if (p.filename !== undefined) head += `; filename="${p.filename}"`;
      head += nl;
      if (p.type !== undefined) head += `Content-Type: ${p.type}${nl}`;
      chunks.push(Buffer.from(head + nl, 'utf8'), p.data, Buffer.from(nl));
    }
    if (frame !== 'no-final-boundary') chunks.push(Buffer.from(`--${boundary}--${nl}`));
    const bytes = frame === 'empty' ? Buffer.alloc(0) : Buffer.concat(chunks);
    const contentType =
      frame === 'wrong-boundary' ? 'multipart/form-data; boundary=other' : frame === 'no-boundary-param' ? 'multipart/form-data' : frame === 'json-content-type' ? 'application/json' : `multipart/form-data; boundary=${boundary}`;
    const describe = `${frame}; parts ${show(parts.map((p) => ({ field: p.field, filename: p.filename, type: p.type, bytes: p.data.length, head: p.data.subarray(0, 8).toString('hex') })))}`;
    return { kind: 'multipart' as const, bytes, contentType, describe };
  });
}

/** Every case of one operation. */
function requestArb(op: Operation): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const params = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        fc.oneof(
          { weight: 6, arbitrary: fixtureParam(op.path, p.name, p.schema) },
          { weight: 3, arbitrary: weirdString },
          { weight: 2, arbitrary: weirdUuid },
          { weight: 1, arbitrary: rawUrlPart },
        ),
      ]),
    ) as Record<string, fc.Arbitrary<UrlPart>>,
  );
  const declared = fc.tuple(...queryParams.map((p) => queryValue(p.name, p.schema ?? { type: 'string' }).map((v) => [p.name, v] as [string, UrlPart | UrlPart[] | undefined])));
  const extra = fc.oneof(
    { weight: 5, arbitrary: fc.constant([] as [string, UrlPart | UrlPart[] | undefined][]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(weirdString, fc.oneof(weirdString, rawUrlPart)), { minLength: 1, maxLength: 2 }) },
  );
  const query = fc.tuple(declared, extra).map(([d, e]) => [...d, ...e]);
  const body: fc.Arbitrary<FuzzRequest['body']> = op.multipart
    ? multipartArb(Object.keys(op.multipart.properties ?? { file: {} })[0] ?? 'file')
    : op.method === 'GET'
      ? fc.constant<Body>({ kind: 'none' })
      : bodyFor(op.jsonBody);
  return fc.record({ auth: authArb, params, query, body }).map((r) => compact(r));
}

/** Reads the operations out of the OpenAPI document, resolving `$ref`s of request bodies. */
function operations(doc: any): Operation[] {
  const deref = (s: Schema | undefined): Schema | undefined => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, schema: deref(p.schema) })),
        jsonBody: deref(content['application/json']?.schema),
        multipart: deref(content['multipart/form-data']?.schema),
      });
    }
  }
  return ops;
}

describe('fuzz: REST routes of the OpenAPI document (e2e)', () => {
  const { t } = useTestApp();
  let doc: any;
  let world: World;
  let counts: DbCounts;
  let last: Counts;
  const log = new FailureLog();

  beforeAll(async () => {
    doc = await (await fetch(`${t.origin}/docs-json`)).json();
    counts = new DbCounts();
    world = await buildWorld(t.api);
    last = await counts.read();
  });
  afterAll(async () => {
    await counts?.close();
  });

  /** Sends one generated request; returns a failure when a property does not hold. */
  async function exercise(op: Operation, req: FuzzRequest): Promise<Failure | null> {
    const v = world.values;
    const resolve = <T>(x: T): T => resolveRefs(x, v);
    const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodePart(resolve(req.params[name] ?? '')));
    const query = req.query
      .flatMap(([k, val]) => (val === undefined ? [] : (Array.isArray(val) ? val : [val]).map((one) => `${encodeLoose(resolve(k))}=${encodePart(resolve(one))}`)))
      .join('&');
    const url = `${t.origin}${path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = {};
    if (req.auth === 'A') headers.authorization = `Bearer ${world.a.token}`;
    else if (req.auth === 'B') headers.authorization = `Bearer ${world.b.token}`;
    else if (req.auth !== 'none') headers.authorization = resolve(req.auth);
    let payload: string | Buffer | undefined;
    let bodyText = '(none)';
    const b = req.body;
    if (b.kind === 'json') {
      payload = JSON.stringify(resolve(b.value)) ?? 'null';
      headers['content-type'] = 'application/json';
      bodyText = payload;
    } else if (b.kind === 'raw') {
      payload = b.text;
      if (b.contentType) headers['content-type'] = b.contentType;
      bodyText = `[${b.contentType || 'no content-type'}] ${b.text}`;
    } else if (b.kind === 'multipart') {
      payload = b.bytes;
      headers['content-type'] = b.contentType;
      bodyText = `[${b.contentType}] ${b.describe}`;
    }
    const describe = () => `request: ${op.method} ${clip(url, 300)}\nauth: ${req.auth}\nbody: ${clip(bodyText, 300)}`;

    let status: number;
    let text: string;
    try {
      const res = await fetch(url, { method: op.method, headers, body: payload, signal: AbortSignal.timeout(15_000) });
      status = res.status;
      text = await res.text();
    } catch (err) {
      return { property: `${op.method} ${op.path}`, kind: `no answer (${(err as Error).name})`, report: `${describe()}\nerror: ${(err as Error).message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    const property = `${op.method} ${op.path}`;
    const fail = (kind: string): Failure => ({ property, kind, report: `response: ${status} ${clip(text, 300)}\n${describe()}` });

    const now = await counts.read();
    const changed = countsChanged(last, now);
    last = now;
    if (status >= 500) return fail(`${status} ${(json as { code?: string })?.code ?? ''}`.trim());
    if (status >= 400) {
      const shape = errorShapeProblem(status, json);
      if (shape) return fail(`${status} not in the error shape: ${shape}`);
      if (changed) return fail(`${status} changed row counts: ${changed}`);
      // A's token refused: something revoked it (a new route?); start over with a fresh world.
      if (req.auth === 'A' && status === 401) world = await buildWorld(t.api);
    } else if (op.method !== 'GET' && !HARMLESS_SUCCESS.has(property)) {
      world = await buildWorld(t.api);
    }
    if (world.values !== v) last = await counts.read();
    return null;
  }

  it('a request line over the HTTP parser limit is answered 431 in the error shape', async () => {
    const res = await fetch(`${t.api}/rooms?q=${'a'.repeat(70_000)}`, { headers: { authorization: `Bearer ${world.a.token}` } });
    const body = (await res.json()) as { request_id: string };
    expect(res.status).toBe(431);
    expect(errorShapeProblem(431, body)).toBeNull();
    expect(res.headers.get('x-request-id')).toBe(body.request_id);
  });

  it('a multipart upload cut before its closing boundary is answered 400, not left hanging', async () => {
    const boundary = 'cutshort';
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dot.png"\r\n\r\n`), PNG, Buffer.from('\r\n')]);
    const res = await fetch(`${t.api}/uploads`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${world.a.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(400);
    expect(errorShapeProblem(400, await res.json())).toBeNull();
  });

  it(
    'no route answers 5xx; every 4xx is in the error shape and changes no row counts',
    async () => {
      const ops = operations(doc);
      expect(ops.length).toBeGreaterThan(30);
      const reports: string[] = [];
      for (const op of ops) {
        const report = await runProperty(`${op.method} ${op.path}`, requestArb(op), (req) => exercise(op, req), log, op.multipart ? Math.max(10, Math.ceil(FUZZ_RUNS / 2)) : FUZZ_RUNS);
        if (report) reports.push(report);
      }
      if (DISCOVER && log.failures.length) console.log(log.summary());
      if (reports.length || log.failures.length) throw new Error(`${reports.length} of ${ops.length} routes failed:\n\n${reports.join('\n\n')}`);
    },
    20 * 60_000,
  );
});
