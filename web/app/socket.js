// The WebSocket connection: first-message auth, request/ack correlation, an application ping to
// notice dead links, and reconnect with backoff. It knows nothing about chat state; the store
// listens to its events ('frame', 'ready', 'state').

const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 8_000;
const REQUEST_TIMEOUT_MS = 15_000;

/** An `error` frame answering a request, or a request cut off by a lost connection. */
export class SocketError extends Error {
  constructor(code, message, retryAfterMs = null) {
    super(message);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/** One logical realtime connection that keeps itself connected while `start()`ed. */
export class Realtime {
  /** @param api the Api (for fresh tokens and refresh after a 4401) */
  constructor(api) {
    this.api = api;
    this.ws = null;
    this.state = 'idle'; // idle | connecting | online | reconnecting | offline | blocked
    this.everConnected = false;
    this.attempt = 0;
    this.pending = new Map();
    this.listeners = new Map();
    this.nextId = 1;
    this.running = false;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    window.addEventListener('offline', () => {
      if (!this.running) return;
      // Do not trust a socket across a network change: drop it and converge through sync later.
      this.drop('offline');
    });
    window.addEventListener('online', () => {
      if (!this.running) return;
      this.attempt = 0;
      if (this.state !== 'online' && this.state !== 'connecting') this.connectNow();
      else this.probe();
    });
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return () => this.listeners.get(event).delete(fn);
  }

  emit(event, value) {
    for (const fn of this.listeners.get(event) ?? []) fn(value);
  }

  setState(state, detail) {
    this.state = state;
    this.emit('state', { state, detail });
  }

  start() {
    this.running = true;
    this.connectNow();
  }

  stop() {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.closeSocket(1000, 'bye');
    this.everConnected = false;
    this.setState('idle');
  }

  get isOnline() {
    return this.state === 'online';
  }

  connectNow() {
    clearTimeout(this.reconnectTimer);
    if (!this.running) return;
    if (!navigator.onLine) {
      this.setState('offline');
      return;
    }
    this.closeSocket(1000, 'reconnecting');
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/ws`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('message', (e) => this.onFrame(ws, e.data));
    ws.addEventListener('close', (e) => this.onClose(ws, e.code, e.reason));
  }

  async onFrame(ws, data) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === 'auth_required') {
      try {
        const token = await this.api.freshToken();
        if (ws === this.ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'auth', payload: { token } }));
      } catch {
        this.drop('auth failed');
      }
      return;
    }
    if (frame.type === 'auth_ok') {
      this.attempt = 0;
      this.everConnected = true;
      this.setState('online');
      this.startHeartbeat();
      this.emit('ready', frame.payload);
      return;
    }
    if (frame.type === 'pong') {
      clearTimeout(this.pongTimer);
      return;
    }
    if ((frame.type === 'ack' || frame.type === 'error') && frame.id !== undefined && this.pending.has(String(frame.id))) {
      const waiter = this.pending.get(String(frame.id));
      this.pending.delete(String(frame.id));
      clearTimeout(waiter.timer);
      if (frame.type === 'ack') waiter.resolve(frame.payload);
      else waiter.reject(new SocketError(frame.payload?.code ?? 'ERROR', frame.payload?.message ?? 'The server refused the request.', frame.payload?.retry_after_ms ?? null));
      return;
    }
    this.emit('frame', frame);
  }

  onClose(ws, code, reason) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.stopHeartbeat();
    this.failPending();
    if (!this.running) return;
    if (code === 4401) {
      if (this.api.loggingOut || !this.api.hasStoredSession()) return;
      // The access token was refused (expired or revoked): refresh once, then reconnect.
      this.api.refresh().then(
        () => this.scheduleReconnect(0),
        (err) => {
          if (err?.status === 0) this.scheduleReconnect();
        },
      );
      this.setState('reconnecting');
      return;
    }
    if (code === 4403) {
      this.setState('blocked', 'This server does not accept live connections from this address (check ALLOWED_ORIGINS).');
      return;
    }
    this.scheduleReconnect(code === 4429 ? 10_000 : undefined);
    void reason;
  }

  scheduleReconnect(delayMs) {
    clearTimeout(this.reconnectTimer);
    if (!navigator.onLine) {
      this.setState('offline');
      return;
    }
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    const backoff = delayMs ?? Math.min(15_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => this.connectNow(), backoff);
  }

  /** Closes the current socket and reconnects (or waits for `online`). */
  drop(why) {
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    this.failPending();
    if (ws) {
      try {
        ws.close(1000, why);
      } catch {}
    }
    if (this.running) this.scheduleReconnect(navigator.onLine ? 0 : undefined);
  }

  closeSocket(code, why) {
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    this.failPending();
    if (ws) {
      try {
        ws.close(code, why);
      } catch {}
    }
  }

  failPending() {
    for (const [, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new SocketError('CONNECTION_LOST', 'The connection was lost before the server answered.'));
    }
    this.pending.clear();
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => this.probe(), PING_EVERY_MS);
  }

  stopHeartbeat() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  /** Sends an application ping; no pong within PONG_TIMEOUT_MS means the link is dead. */
  probe() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    clearTimeout(this.pongTimer);
    this.ws.send(JSON.stringify({ type: 'ping', id: `p${this.nextId++}` }));
    this.pongTimer = setTimeout(() => this.drop('no pong'), PONG_TIMEOUT_MS);
  }

  /** Sends a frame without waiting for an answer. @returns false when not connected. */
  send(type, payload) {
    if (!this.isOnline || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(payload === undefined ? { type } : { type, payload }));
    return true;
  }

  /**
   * Sends a request frame with an id and resolves with its ack payload.
   * @throws SocketError (the server's error frame, NOT_CONNECTED, CONNECTION_LOST or TIMEOUT)
   */
  request(type, payload, timeoutMs = REQUEST_TIMEOUT_MS) {
    if (!this.isOnline || !this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new SocketError('NOT_CONNECTED', 'Not connected.'));
    }
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SocketError('TIMEOUT', 'The server did not answer in time.'));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type, id, payload }));
    });
  }
}
