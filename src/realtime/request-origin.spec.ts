import type { IncomingMessage } from 'node:http';
import { clientKey, RequestOrigin } from './request-origin';

/** An upgrade request as Node hands it over: headers plus the TCP peer. */
function request(headers: Record<string, string>, remoteAddress = '127.0.0.1', encrypted = false): IncomingMessage {
  return { headers, socket: { remoteAddress, encrypted }, url: '/api/v1/ws' } as unknown as IncomingMessage;
}

describe('RequestOrigin', () => {
  const direct = new RequestOrigin([]);
  const proxied = new RequestOrigin(['127.0.0.1']);

  it('allows the request\'s own origin on any port, and listed origins; refuses the rest', () => {
    const req = request({ host: '192.168.1.20:3931' });
    expect(direct.originAllowed('http://192.168.1.20:3931', req, [])).toBe(true);
    expect(direct.originAllowed('https://192.168.1.20:3931', req, [])).toBe(false);
    expect(direct.originAllowed('http://192.168.1.20:3000', req, [])).toBe(false);
    expect(direct.originAllowed('https://other.example', req, ['https://other.example'])).toBe(true);
    expect(direct.originAllowed('null', req, [])).toBe(false);
    expect(direct.originAllowed('not a url', req, [])).toBe(false);
    expect(direct.originAllowed('http://x', request({}), [])).toBe(false);
    expect(direct.originAllowed('http://evil/x', request({ host: 'evil/x' }), [])).toBe(false);
  });

  it('normalises default ports and case like a browser\'s Origin', () => {
    expect(direct.ownOrigin(request({ host: 'Chat.Example:80' }))).toBe('http://chat.example');
    expect(direct.ownOrigin(request({ host: 'chat.example:443' }, '10.0.0.1', true))).toBe('https://chat.example');
  });

  it('believes X-Forwarded-Proto/Host and X-Forwarded-For only from a trusted proxy', () => {
    const headers = { host: 'app:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example', 'x-forwarded-for': '203.0.113.7' };
    expect(proxied.ownOrigin(request(headers))).toBe('https://chat.example');
    expect(proxied.clientIp(request(headers))).toBe('203.0.113.7');
    expect(direct.ownOrigin(request(headers))).toBe('http://app:3000');
    expect(direct.clientIp(request(headers))).toBe('127.0.0.1');
    expect(proxied.ownOrigin(request(headers, '10.9.9.9'))).toBe('http://app:3000');
    expect(proxied.clientIp(request(headers, '10.9.9.9'))).toBe('10.9.9.9');
  });
});

describe('clientKey', () => {
  it('keeps IPv4 (mapped too) and groups IPv6 by /56', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2a3::1')).toBe('2001:db8:1:200::/56');
    expect(clientKey('2001:db8:1:2ff:ffff::9')).toBe('2001:db8:1:200::/56');
    expect(clientKey('2001:db8:1:300::1')).toBe('2001:db8:1:300::/56');
    expect(clientKey('::1')).toBe('0:0:0:0::/56');
  });
});
