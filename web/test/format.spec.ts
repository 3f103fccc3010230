import { ApiError, describeError, fillPath, queryString } from '../src/api/http';
import { snippetParts } from '../src/ui/format';

describe('client helpers', () => {
  it('turns search snippets into text parts without ever producing markup', () => {
    expect(snippetParts('see you at the <mark>meeting</mark> &lt;b&gt; &amp; more')).toEqual([
      { text: 'see you at the ', mark: false },
      { text: 'meeting', mark: true },
      { text: ' <b> & more', mark: false },
    ]);
    expect(snippetParts('<mark>&lt;script&gt;</mark>')).toEqual([{ text: '<script>', mark: true }]);
  });

  it('builds paths and query strings', () => {
    expect(fillPath('/rooms/{id}/members/{user_id}', { id: 'a b', user_id: 'c' })).toBe('/rooms/a%20b/members/c');
    expect(() => fillPath('/rooms/{id}', {})).toThrow(/missing path parameter id/);
    expect(queryString({ q: 'x y', limit: 20, cursor: undefined, empty: '' })).toBe('?q=x+y&limit=20');
    expect(queryString(undefined)).toBe('');
  });

  it('says what went wrong in words', () => {
    expect(describeError(new ApiError(0, 'NETWORK', 'x'))).toMatch(/Cannot reach the server/);
    expect(describeError(new ApiError(429, 'RATE_LIMITED', 'x', [], 7))).toBe('Too many requests. Please wait 7 seconds and try again.');
    expect(describeError(new ApiError(400, 'VALIDATION_FAILED', 'x', [{ field: 'username', problem: 'must be 3 to 32 characters' }]))).toBe('Username must be 3 to 32 characters.');
    expect(describeError(new ApiError(403, 'FORBIDDEN', 'Only the owner can do that.'))).toBe('You are not allowed to do that. Only the owner can do that.');
    expect(describeError(new ApiError(403, 'ACCOUNT_DISABLED', 'This account has been disabled by an administrator.'))).toBe('This account has been disabled by an administrator.');
    expect(describeError(new ApiError(403, 'INVITE_INVALID', 'The invite code is unknown, used up, revoked or expired.'))).toBe('The invite code is unknown, used up, revoked or expired.');
  });
});
