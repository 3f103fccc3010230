import { AccountAdminService } from '../../src/admin/account-admin.service';
import { TestApp, TestSuite, useTestApp } from './app';
import { registerUser, TestUser } from './http';

/**
 * Makes a registered user a server admin the way an operator does (`chat-server users promote`, the
 * same AccountAdminService call, audited as `user.promote` by `cli:test`). Their tokens stay valid.
 * @throws AppError USER_NOT_FOUND when the user does not exist
 */
export async function makeAdmin(t: TestApp, user: { id: string }): Promise<void> {
  await t.app.get(AccountAdminService, { strict: false }).promote('cli:test', user.id);
}

/** What {@link useAdminSuite} gives a suite: the usual app, plus an admin and a plain member. */
export interface AdminSuite extends TestSuite {
  /** A registered server admin (filled in by the suite's beforeAll). */
  admin: TestUser;
  /** A registered user who is not an admin (filled in by the suite's beforeAll). */
  member: TestUser;
}

/**
 * {@link useTestApp} for suites about server administration: before their tests, one user is
 * registered and made an admin ({@link makeAdmin}) and another is registered as a plain member.
 */
export function useAdminSuite(env: Record<string, string> = {}): AdminSuite {
  const suite = useTestApp(env);
  const admin = {} as TestUser;
  const member = {} as TestUser;
  beforeAll(async () => {
    Object.assign(admin, await registerUser(suite.t.api));
    Object.assign(member, await registerUser(suite.t.api));
    await makeAdmin(suite.t, admin);
  });
  return { ...suite, admin, member };
}
