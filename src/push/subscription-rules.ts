import { createPublicKey } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { ErrorDetail } from '../common/errors/app-error';

/**
 * Addresses a push endpoint must not name in production: the server's own and its neighbours'.
 * (BlockList also matches IPv4-mapped IPv6 addresses such as ::ffff:10.0.0.1 against the IPv4 ranges.)
 */
const PRIVATE_ADDRESSES = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(net, bits, 'ipv6');
}

/** True for 127.0.0.0/8, ::1 and localhost: the machine itself. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** True for an IP literal in a private, loopback, link-local or unspecified range. */
function isPrivateAddressLiteral(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  if (family === 0) return false;
  return PRIVATE_ADDRESSES.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Checks a push endpoint URL: https (real push services all are), no credentials in the URL; http
 * only to a loopback host and only outside production, where a test or local push service runs
 * without TLS; in production, never a private, loopback or link-local IP literal, so a subscription
 * cannot make the server POST into its own network.
 * @returns the problem as an error detail, or undefined when the endpoint is acceptable.
 */
export function endpointProblem(endpoint: string, production: boolean): ErrorDetail | undefined {
  const bad = (problem: string): ErrorDetail => ({ field: 'endpoint', problem });
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return bad('must be an https URL');
  }
  if (url.username || url.password) return bad('must not contain credentials');
  if (url.protocol === 'http:') {
    if (production || !isLoopbackHost(url.hostname)) return bad(production ? 'must be an https URL' : 'must be an https URL (http only for a loopback host)');
    return undefined;
  }
  if (url.protocol !== 'https:') return bad('must be an https URL');
  if (production && (isLoopbackHost(url.hostname) || isPrivateAddressLiteral(url.hostname))) return bad('must not name a private or loopback address');
  return undefined;
}

/** Decodes unpadded (or padded) base64url; undefined when the text is not base64url. */
function decodeBase64Url(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return undefined;
  return Buffer.from(value.replace(/=+$/, ''), 'base64url');
}

/** True when the bytes are an uncompressed point on P-256 (encryption to it can succeed). */
function isP256Point(bytes: Buffer): boolean {
  if (bytes.length !== 65 || bytes[0] !== 0x04) return false;
  try {
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: bytes.subarray(1, 33).toString('base64url'), y: bytes.subarray(33).toString('base64url') }, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks and normalises a subscription's keys (RFC 8291): `p256dh` a base64url uncompressed P-256
 * point on the curve, `auth` a base64url 16-byte secret. Padding is accepted and dropped.
 * @returns the keys without padding, or the problems found.
 */
export function checkKeys(keys: { p256dh: string; auth: string }): { p256dh: string; auth: string } | ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const p256dh = decodeBase64Url(keys.p256dh);
  if (!p256dh || !isP256Point(p256dh)) problems.push({ field: 'keys.p256dh', problem: 'must be a base64url uncompressed P-256 public key (65 bytes)' });
  const auth = decodeBase64Url(keys.auth);
  if (!auth || auth.length !== 16) problems.push({ field: 'keys.auth', problem: 'must be a base64url 16-byte secret' });
  if (problems.length > 0) return problems;
  return { p256dh: keys.p256dh.replace(/=+$/, ''), auth: keys.auth.replace(/=+$/, '') };
}
