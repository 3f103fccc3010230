// Typed REST client for /api/v1. Paths, bodies, query strings and answers are checked against the
// generated OpenAPI types (`paths` in schema.d.ts); failures become an ApiError with a sentence for
// people. It knows nothing about sessions: the caller passes a token provider.
import type { paths } from './schema';
import type { ApiErrorBody, ErrorDetail } from './types';

/** A failed request: `status` (0 = network), stable `code`, people-readable `message`, `details`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds to wait after a 429 (from Retry-After), when the server said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** `/rooms/me` for `/api/v1/rooms/me`. */
type ApiPath = { [P in keyof paths]: P extends `/api/v1${infer Rest}` ? Rest : never }[keyof paths];
type Full<P extends ApiPath> = `/api/v1${P}` & keyof paths;
/** Paths that answer `M`. */
export type PathsWith<M extends Method> = { [P in ApiPath]: paths[Full<P>][M] extends { responses: unknown } ? P : never }[ApiPath];
type Op<P extends ApiPath, M extends Method> = paths[Full<P>][M];
type Params<O> = O extends { parameters: infer X } ? X : never;
type PathParams<O> = Params<O> extends { path: infer X } ? X : never;
type Query<O> = Params<O> extends { query?: infer X } ? X : never;
type RequestBody<O> = O extends { requestBody?: infer R } ? R : never;
type JsonBody<O> = NonNullable<RequestBody<O>> extends { content: { 'application/json': infer B } } ? (undefined extends RequestBody<O> ? B | undefined : B) : never;
type OkBody<O> = O extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : unknown
  : unknown;

/** The options of one call: path parameters, query, JSON body or multipart form. */
export type CallOptions<O> = ([PathParams<O>] extends [never] ? { path?: undefined } : { path: PathParams<O> }) &
  ([Query<O>] extends [never] | [undefined] ? { query?: undefined } : { query?: Query<O> }) &
  ([JsonBody<O>] extends [never] ? { body?: undefined } : undefined extends JsonBody<O> ? { body?: JsonBody<O> } : { body: JsonBody<O> }) & { form?: FormData; auth?: boolean };
/** What a call resolves with. */
export type Answer<P extends ApiPath, M extends Method> = OkBody<Op<P, M>>;

export const API_BASE = '/api/v1';

const FIELD_NAMES: Record<string, string> = {
  username: 'Username',
  email: 'Email',
  password: 'Password',
  display_name: 'Display name',
  current_password: 'Current password',
  new_password: 'New password',
  name: 'Name',
  description: 'Description',
  content: 'Message',
  status: 'Status',
  login: 'Username or email',
  file: 'File',
  avatar_url: 'Avatar',
  q: 'Search',
  invite_code: 'Invite code',
};

/** 403 codes about the account or sign-up itself, whose own sentence says it all (no "not allowed" prefix). */
const SELF_EXPLAINED_403 = new Set(['ACCOUNT_DISABLED', 'REGISTRATION_CLOSED', 'INVITE_REQUIRED', 'INVITE_INVALID']);

/**
 * One sentence (or a few) describing what went wrong: the server's own `error` sentence, the field
 * problems it listed (with friendly names), and the wait after a 429.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error && err.message ? err.message : 'Something went wrong.';
  if (err.status === 0) return 'Cannot reach the server. Check your connection and try again.';
  if (err.status === 429) {
    const wait = err.retryAfterSeconds;
    return wait ? `Too many requests. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.` : 'Too many requests. Please wait a moment and try again.';
  }
  if (err.code === 'ROUTE_NOT_FOUND') return 'This server does not offer that feature yet.';
  const problems = err.details.filter((d) => d.field || d.problem).map((d) => `${FIELD_NAMES[d.field ?? ''] ?? d.field ?? ''} ${String(d.problem ?? 'is invalid').replace(/\.$/, '')}`.trim());
  let text = problems.length ? `${problems.join('; ')}.` : err.message || 'The request failed.';
  if (err.status === 403 && !SELF_EXPLAINED_403.has(err.code) && !/not allowed|permission|forbidden/i.test(text)) text = `You are not allowed to do that. ${text}`;
  return text;
}

/** Parses a Response into JSON or throws an ApiError; never surfaces raw bodies. */
export async function parseResponse(res: Response): Promise<unknown> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body;
  const retry = Number(res.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? Math.ceil(retry) : null;
  const shaped = body as Partial<ApiErrorBody> | undefined;
  if (shaped && typeof shaped.code === 'string') {
    throw new ApiError(res.status, shaped.code, shaped.error ?? `The server refused the request (HTTP ${res.status}).`, shaped.details ?? [], retryAfter);
  }
  throw new ApiError(res.status, `HTTP_${res.status}`, `The server answered with an unexpected error (HTTP ${res.status}).`, [], retryAfter);
}

/** Where a call gets its bearer token and what it does when the token was refused. */
export interface TokenSource {
  /** A valid access token (refreshing first when about to expire). */
  token(): Promise<string>;
  /** Called once on 401 TOKEN_EXPIRED; resolves when a new token is in place. */
  refreshed(): Promise<void>;
  /** Called on 401 TOKEN_REVOKED / TOKEN_INVALID: the session is over. */
  revoked(): void;
}

/** The REST client. `tokens` is set by the session once it exists. */
export class Http {
  tokens: TokenSource | null = null;

  /**
   * One typed call, e.g. `http.call('patch', '/rooms/{id}', { path: { id }, body: { name } })`.
   * A 401 TOKEN_EXPIRED is refreshed and retried once.
   * @throws ApiError (status 0 when the server cannot be reached)
   */
  async call<M extends Method, P extends PathsWith<M>>(method: M, path: P, options: CallOptions<Op<P, M>>): Promise<Answer<P, M>> {
    return (await this.raw(method, path, options as RawOptions, true)) as Answer<P, M>;
  }

  private async raw(method: Method, path: string, options: RawOptions, retry: boolean): Promise<unknown> {
    const auth = options.auth !== false;
    const headers: Record<string, string> = {};
    if (auth) {
      if (!this.tokens) throw new ApiError(401, 'TOKEN_INVALID', 'Please log in.');
      headers.authorization = `Bearer ${await this.tokens.token()}`;
    }
    let payload: BodyInit | undefined;
    if (options.form) payload = options.form;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.body);
    }
    const url = API_BASE + fillPath(path, options.path) + queryString(options.query);
    let res: Response;
    try {
      res = await fetch(url, { method: method.toUpperCase(), headers, body: payload });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server.');
    }
    try {
      return await parseResponse(res);
    } catch (err) {
      if (auth && err instanceof ApiError && err.status === 401 && this.tokens) {
        if (retry && err.code === 'TOKEN_EXPIRED') {
          await this.tokens.refreshed();
          return this.raw(method, path, options, false);
        }
        if (err.code === 'TOKEN_REVOKED' || err.code === 'TOKEN_INVALID') this.tokens.revoked();
      }
      throw err;
    }
  }

  /** GET of an authenticated binary (an upload, by its `url`), as a Blob. @throws ApiError */
  async blob(url: string): Promise<Blob> {
    if (!this.tokens) throw new ApiError(401, 'TOKEN_INVALID', 'Please log in.');
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${await this.tokens.token()}` } });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server.');
    }
    if (!res.ok) await parseResponse(res);
    return res.blob();
  }
}

interface RawOptions {
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  form?: FormData;
  auth?: boolean;
}

/** `/rooms/{id}` with `{id: 'x'}` → `/rooms/x` (values URL-encoded). */
export function fillPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(value);
  });
}

/** `?a=1&b=x` from the defined, non-empty values. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}
