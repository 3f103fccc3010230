import proxyaddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * What an HTTP request (here: a WebSocket upgrade) says about its client and its own origin, read
 * the way Fastify reads REST requests: `X-Forwarded-For`, `-Proto` and `-Host` count only when the
 * TCP peer is one of the TRUST_PROXY addresses, so a client cannot choose its IP or host by header.
 */
export class RequestOrigin {
  private readonly trust: (address: string, hop: number) => boolean;

  /** @param trustProxy TRUST_PROXY entries (addresses, CIDRs or proxy-addr names); empty trusts nobody. */
  constructor(private readonly trustProxy: readonly string[]) {
    this.trust = trustProxy.length > 0 ? proxyaddr.compile([...trustProxy]) : () => false;
  }

  /**
   * The client IP: the TCP peer, or the X-Forwarded-For hop chosen by the trusted proxies. An IPv6
   * address with an embedded IPv4 tail (`::ffff:1.2.3.4`) is returned as given; see {@link clientKey}.
   */
  clientIp(request: IncomingMessage): string {
    const peer = request.socket.remoteAddress ?? '';
    return this.trustProxy.length > 0 ? proxyaddr(request, this.trust) : peer;
  }

  /**
   * The origin the request was made to (`http://host:port`, normalised like a browser's Origin), or
   * null when the Host header is missing or malformed.
   */
  ownOrigin(request: IncomingMessage): string | null {
    const viaProxy = this.trust(request.socket.remoteAddress ?? '', 0);
    const proto = (viaProxy && firstValue(request.headers['x-forwarded-proto'])) || ((request.socket as TLSSocket).encrypted ? 'https' : 'http');
    const host = (viaProxy && firstValue(request.headers['x-forwarded-host'])) || request.headers.host;
    if (!host || !/^https?$/i.test(proto)) return null;
    try {
      const url = new URL(`${proto.toLowerCase()}://${host}`);
      return url.host === '' || url.pathname !== '/' ? null : url.origin;
    } catch {
      return null;
    }
  }

  /**
   * True when a browser's `Origin` may use this server: a page of this server itself (same scheme and
   * host as the request) always may; other origins only when listed in ALLOWED_ORIGINS.
   */
  originAllowed(origin: string, request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
    if (allowedOrigins.includes(origin)) return true;
    const own = this.ownOrigin(request);
    if (own === null) return false;
    try {
      return new URL(origin).origin === own;
    } catch {
      return false;
    }
  }
}

/**
 * The key one client's connections are counted under: an IPv4 address as is (IPv4-mapped IPv6 too),
 * an IPv6 address by its /56 prefix, since one subscriber usually owns a whole prefix (as the REST
 * limits group them); anything else as given.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  const words = groups.map((g) => parseInt(g, 16) || 0);
  return `${words.slice(0, 3).map((w) => w.toString(16)).join(':')}:${(words[3] & 0xff00).toString(16)}::/56`;
}

/** First entry of a possibly repeated, comma-separated header. */
function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim() || undefined;
}
