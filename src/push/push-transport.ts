import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ClientRequest } from 'node:http';

/** An encrypted, VAPID-signed push request as `web-push`'s `generateRequestDetails` builds it. */
export interface PushRequest {
  endpoint: string;
  method: string;
  headers: Record<string, string | number>;
  body: Buffer | null;
}

/** How the push service answered: its status, and its Retry-After in seconds when it sent one. */
export interface PushResponse {
  status: number;
  retryAfterSeconds?: number;
}

/**
 * Sends push requests: https, or http for the loopback endpoints the subscription rules allow outside
 * production (`web-push`'s own sender speaks https only). Each request has a deadline; requests in
 * flight can all be aborted at shutdown.
 */
export class PushTransport {
  private readonly inFlight = new Set<ClientRequest>();

  /**
   * POSTs one push and resolves with the status; the response body is read and discarded.
   * @throws Error on a network failure or when no answer came within `timeoutMs`.
   */
  send(push: PushRequest, timeoutMs: number): Promise<PushResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(push.endpoint);
      const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(push.headers)) headers[name] = String(value);
      const req = request(url, { method: push.method, headers, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => {
          const retryAfter = Number(res.headers['retry-after']);
          resolve({ status: res.statusCode ?? 0, retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined });
        });
        res.on('error', reject);
      });
      this.inFlight.add(req);
      req.on('close', () => this.inFlight.delete(req));
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(push.body ?? undefined);
    });
  }

  /** Aborts every request in flight (their promises reject). */
  abortAll(): void {
    for (const req of this.inFlight) req.destroy(new Error('shutting down'));
    this.inFlight.clear();
  }
}
