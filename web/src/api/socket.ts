// The WebSocket connection: first-message auth, request/answer correlation by id, an application
// ping to notice dead links, and reconnect with backoff. It knows nothing about chat state: the
// chat store subscribes to `onFrame`, `onReady` and the `state` signal.
import { signal } from '@preact/signals-core';
import type { ClientNotices, ClientRequests, ServerEvents, ServerFrame } from './frames';

const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 8_000;
const REQUEST_TIMEOUT_MS = 15_000;

/** idle | connecting | online | reconnecting | offline (no network) | blocked (origin refused) */
export type ConnectionState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline' | 'blocked';

/** An `error` frame answering a request, or a request cut off by a lost connection. */
export class SocketError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** From RATE_LIMITED errors: how long to wait, in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Codes that mean "not sent, try again later" (the outbox keeps the message queued). */
export const TRANSIENT_CODES = new Set(['NOT_CONNECTED', 'CONNECTION_LOST', 'TIMEOUT']);

/** What the connection needs from the session. */
export interface SocketAuth {
  token(): Promise<string>;
  /** After a 4401 close: refresh the access token; rejects when the session is over. */
  refreshAfterRefusal(): Promise<void>;
  /** True while a session exists (no reconnect after logout). */
  active(): boolean;
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: SocketError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** One logical realtime connection that keeps itself connected while started. */
export class Realtime {
  readonly state = signal<ConnectionState>('idle');
  private ws: WebSocket | null = null;
  private everConnected = false;
  private attempt = 0;
  private readonly pending = new Map<string, Waiter>();
  private nextId = 1;
  private running = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  /** Every event frame that is not an answer to a request. */
  onFrame: (frame: ServerFrame) => void = () => undefined;
  /** After every successful auth (first connect and each reconnect). */
  onReady: () => void = () => undefined;

  constructor(private readonly auth: SocketAuth) {
    window.addEventListener('offline', () => {
      // Do not trust a socket across a network change: drop it and converge through sync later.
      if (this.running) this.drop('offline');
    });
    window.addEventListener('online', () => {
      if (!this.running) return;
      this.attempt = 0;
      if (this.state.value !== 'online' && this.state.value !== 'connecting') this.connectNow();
      else this.probe();
    });
  }

  get isOnline(): boolean {
    return this.state.value === 'online';
  }

  start(): void {
    this.running = true;
    this.connectNow();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.closeSocket('bye');
    this.everConnected = false;
    this.state.value = 'idle';
  }

  private connectNow(): void {
    clearTimeout(this.reconnectTimer);
    if (!this.running) return;
    if (!navigator.onLine) {
      this.state.value = 'offline';
      return;
    }
    this.closeSocket('reconnecting');
    this.state.value = this.everConnected ? 'reconnecting' : 'connecting';
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/ws`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('message', (e) => void this.receive(ws, String(e.data)));
    ws.addEventListener('close', (e) => this.closed(ws, e.code));
  }

  private async receive(ws: WebSocket, data: string): Promise<void> {
    if (ws !== this.ws) return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'auth_required':
        try {
          const token = await this.auth.token();
          if (ws === this.ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'auth', payload: { token } }));
        } catch {
          this.drop('auth failed');
        }
        return;
      case 'auth_ok':
        this.attempt = 0;
        this.everConnected = true;
        this.state.value = 'online';
        this.startHeartbeat();
        this.onReady();
        return;
      case 'pong':
        clearTimeout(this.pongTimer);
        return;
      case 'ack':
      case 'error':
      case 'sync_result': {
        const waiter = frame.id !== undefined ? this.pending.get(frame.id) : undefined;
        if (waiter && frame.id !== undefined) {
          this.pending.delete(frame.id);
          clearTimeout(waiter.timer);
          if (frame.type === 'error') waiter.reject(new SocketError(frame.payload.code, frame.payload.message, frame.payload.retry_after_ms ?? null));
          else waiter.resolve(frame.payload);
          return;
        }
        break;
      }
    }
    this.onFrame(frame);
  }

  private closed(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.stopHeartbeat();
    this.failPending();
    if (!this.running) return;
    if (code === 4401) {
      if (!this.auth.active()) return;
      // The access token was refused (expired or revoked): refresh once, then reconnect.
      this.state.value = 'reconnecting';
      this.auth.refreshAfterRefusal().then(
        () => this.scheduleReconnect(0),
        (err: { status?: number }) => {
          if (err?.status === 0 || err?.status === 429) this.scheduleReconnect();
        },
      );
      return;
    }
    if (code === 4403) {
      this.state.value = 'blocked';
      return;
    }
    this.scheduleReconnect(code === 4429 ? 10_000 : undefined);
  }

  private scheduleReconnect(delayMs?: number): void {
    clearTimeout(this.reconnectTimer);
    if (!navigator.onLine) {
      this.state.value = 'offline';
      return;
    }
    this.state.value = this.everConnected ? 'reconnecting' : 'connecting';
    const backoff = delayMs ?? Math.min(15_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => this.connectNow(), backoff);
  }

  /** Closes the current socket and reconnects (or waits for `online`). */
  private drop(why: string): void {
    this.closeSocket(why);
    if (this.running) this.scheduleReconnect(navigator.onLine ? 0 : undefined);
  }

  private closeSocket(why: string): void {
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    this.failPending();
    if (ws) {
      try {
        ws.close(1000, why);
      } catch {}
    }
  }

  private failPending(): void {
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new SocketError('CONNECTION_LOST', 'The connection was lost before the server answered.'));
    }
    this.pending.clear();
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => this.probe(), PING_EVERY_MS);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  /** Sends an application ping; no pong within PONG_TIMEOUT_MS means the link is dead. */
  private probe(): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    clearTimeout(this.pongTimer);
    this.ws.send(JSON.stringify({ type: 'ping', id: `p${this.nextId++}` }));
    this.pongTimer = setTimeout(() => this.drop('no pong'), PONG_TIMEOUT_MS);
  }

  /** Sends a frame without waiting for an answer. @returns false when not connected. */
  notify<K extends keyof ClientNotices>(type: K, payload: ClientNotices[K]): boolean {
    if (!this.isOnline || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ type, payload }));
    return true;
  }

  /**
   * Sends a request frame with an id and resolves with its answer (ack payload, or sync_result).
   * @throws SocketError: the server's error frame, NOT_CONNECTED, CONNECTION_LOST or TIMEOUT
   */
  request<K extends keyof ClientRequests>(type: K, payload: ClientRequests[K]['payload'], timeoutMs = REQUEST_TIMEOUT_MS): Promise<ClientRequests[K]['answer']> {
    const ws = this.ws;
    if (!this.isOnline || !ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new SocketError('NOT_CONNECTED', 'Not connected.'));
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SocketError('TIMEOUT', 'The server did not answer in time.'));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ type, id, payload }));
    });
  }
}

export type { ServerEvents };
