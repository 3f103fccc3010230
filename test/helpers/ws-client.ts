import WebSocket from 'ws';

/** A server → client frame. */
export interface Frame {
  type: string;
  id?: string;
  payload?: any;
}

/**
 * A real `ws` client that queues every frame it receives, so tests can await the next frame
 * matching a predicate, and records how the connection closed.
 */
export class WsTestClient {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void; fail: (err: Error) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string, options: { token?: string; headers?: Record<string, string> } = {}) {
    const headers = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    this.socket = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    // Nothing more can arrive once the socket is closed: fail the waiters now, not at their timeout.
    this.socket.once('close', (code) => {
      for (const w of this.waiters.splice(0)) w.fail(new Error(`no frame matching before the connection closed (${code}); got ${JSON.stringify(this.frames.map((f) => f.type))}`));
    });
    this.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        w.resolve(frame);
      } else {
        this.frames.push(frame);
      }
    });
  }

  /** Sends a frame object (or a raw string as-is). */
  send(frame: object | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first queued or future frame matching `match`. @throws after `timeoutMs`. */
  next(match: string | ((f: Frame) => boolean), timeoutMs = 5000): Promise<Frame> {
    const predicate = typeof match === 'string' ? (f: Frame) => f.type === match : match;
    const i = this.frames.findIndex(predicate);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    if (this.socket.readyState === WebSocket.CLOSED) {
      return Promise.reject(new Error(`no frame matching ${typeof match === 'string' ? match : 'predicate'}: the connection is closed`));
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match: predicate,
        resolve: (f: Frame) => (clearTimeout(timer), resolve(f)),
        fail: (err: Error) => (clearTimeout(timer), reject(err)),
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no frame matching ${typeof match === 'string' ? match : 'predicate'} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends a request frame with an id and resolves with the frame answering it (ack, error, pong). */
  async request(type: string, payload?: object, timeoutMs = 5000): Promise<Frame> {
    const id = `${type}-${Math.random().toString(36).slice(2)}`;
    this.send({ type, id, payload });
    return this.next((f) => f.id === id, timeoutMs);
  }

  /** Asserts that no frame matching `match` arrives within `ms`. */
  async expectNone(match: string | ((f: Frame) => boolean), ms = 300): Promise<void> {
    await expect(this.next(match, ms)).rejects.toThrow(/no frame matching/);
  }

  close(): void {
    this.socket.close();
  }
}

/** Opens a connection authenticated by header and waits for auth_ok. */
export async function connectAuthed(wsUrl: string, token: string): Promise<WsTestClient> {
  const client = new WsTestClient(wsUrl, { token });
  await client.next('auth_ok');
  return client;
}
