import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { loadConfig } from '../config/app-config';
import { ChangePasswordDto, RegisterDto } from './dto/auth.dto';
import { COMMON_PASSWORD_PROBLEM, hasAcceptedLength, isCommonPassword, loadCommonPasswords } from './password-policy';

describe('password policy', () => {
  it('ships exactly 1,000 distinct lowercase common passwords', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBe(1000);
    for (const p of list) expect(p).toBe(p.toLowerCase());
    for (const p of ['123456', 'password', 'qwerty', 'iloveyou', 'password123', 'qwerty123', '1q2w3e4r5t']) expect(list.has(p)).toBe(true);
  });

  it('compares case-insensitively', () => {
    expect(isCommonPassword('PassWord1')).toBe(true);
    expect(isCommonPassword('QWERTYUIOP')).toBe(true);
    expect(isCommonPassword('correct horse battery')).toBe(false);
  });

  it('measures length in UTF-8 bytes: 8..72', () => {
    expect(hasAcceptedLength('1234567')).toBe(false);
    expect(hasAcceptedLength('12345678')).toBe(true);
    expect(hasAcceptedLength('x'.repeat(72))).toBe(true);
    expect(hasAcceptedLength('x'.repeat(73))).toBe(false);
    expect(hasAcceptedLength('é'.repeat(36))).toBe(true); // 72 bytes
    expect(hasAcceptedLength('é'.repeat(37))).toBe(false); // 74 bytes, 37 characters
    expect(hasAcceptedLength('😀😀')).toBe(true); // 8 bytes, 2 code points
  });

  async function problems(cls: typeof RegisterDto | typeof ChangePasswordDto, body: object): Promise<Record<string, string[]>> {
    const errors = await validate(plainToInstance(cls as new () => object, body));
    return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
  }

  it('register: a common password gets the clear message, a short one only the length message', async () => {
    const base = { username: 'alice', email: 'alice@example.com' };
    expect((await problems(RegisterDto, { ...base, password: 'sunshine' })).password).toEqual([COMMON_PASSWORD_PROBLEM]);
    expect((await problems(RegisterDto, { ...base, password: 'abc' })).password).toEqual([expect.stringMatching(/8 to 72 bytes/)]);
    expect(await problems(RegisterDto, { ...base, password: 'a decent passphrase' })).toEqual({});
  });

  it('password change: the same policy applies to new_password only', async () => {
    expect((await problems(ChangePasswordDto, { current_password: 'x', new_password: 'football1' })).new_password).toEqual([COMMON_PASSWORD_PROBLEM]);
    // The current password is only checked against the hash: a common one must still be accepted here.
    expect(await problems(ChangePasswordDto, { current_password: 'password', new_password: 'a decent passphrase' })).toEqual({});
  });

  describe('BCRYPT_COST', () => {
    const env = { JWT_SECRET: 'unit-test-signing-key-0123456789abcdefghijkl', DATA_DIR: '/tmp/unused-data-dir' };
    it('defaults to 12', () => {
      expect(loadConfig({ ...env, NODE_ENV: 'production' }).bcryptCost).toBe(12);
    });
    it('refuses values under 10 unless NODE_ENV=test', () => {
      expect(() => loadConfig({ ...env, NODE_ENV: 'production', BCRYPT_COST: '9' })).toThrow(/BCRYPT_COST/);
      expect(() => loadConfig({ ...env, NODE_ENV: 'development', BCRYPT_COST: '4' })).toThrow(/BCRYPT_COST/);
      expect(loadConfig({ ...env, NODE_ENV: 'test', BCRYPT_COST: '4' }).bcryptCost).toBe(4);
      expect(loadConfig({ ...env, NODE_ENV: 'production', BCRYPT_COST: '10' }).bcryptCost).toBe(10);
    });
  });
});
