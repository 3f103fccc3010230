import { endpointProblem } from './subscription-rules';

describe('endpointProblem', () => {
  it('accepts https push services everywhere', () => {
    for (const production of [false, true]) {
      expect(endpointProblem('https://fcm.googleapis.com/fcm/send/abc', production)).toBeUndefined();
      expect(endpointProblem('https://updates.push.services.mozilla.com/wpush/v2/gAAA', production)).toBeUndefined();
    }
  });

  it('accepts http only to a loopback host, and only outside production', () => {
    for (const url of ['http://127.0.0.1:9000/p', 'http://localhost:9000/p', 'http://[::1]:9000/p', 'http://127.1.2.3/p']) {
      expect(endpointProblem(url, false)).toBeUndefined();
      expect(endpointProblem(url, true)).toEqual({ field: 'endpoint', problem: expect.any(String) });
    }
    expect(endpointProblem('http://push.example.com/p', false)).toEqual({ field: 'endpoint', problem: expect.stringContaining('https') });
  });

  it('in production refuses private, loopback and link-local hosts also over https', () => {
    for (const url of ['https://127.0.0.1/p', 'https://localhost/p', 'https://10.1.2.3/p', 'https://192.168.0.5/p', 'https://172.20.0.1/p', 'https://169.254.169.254/latest', 'https://[::1]/p', 'https://[fd00::1]/p', 'https://[::ffff:10.0.0.1]/p', 'https://0.0.0.0/p']) {
      expect({ url, problem: endpointProblem(url, true) }).toEqual({ url, problem: { field: 'endpoint', problem: 'must not name a private or loopback address' } });
    }
    expect(endpointProblem('https://8.8.8.8/p', true)).toBeUndefined();
  });

  it('refuses other schemes, credentials and non-URLs', () => {
    for (const url of ['ftp://push.example.com/p', 'file:///etc/passwd', 'javascript:alert(1)', 'https://u:p@push.example.com/p', 'push.example.com/p', '']) {
      expect(endpointProblem(url, false)).toEqual({ field: 'endpoint', problem: expect.any(String) });
    }
  });
});
