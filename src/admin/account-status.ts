import { AppError } from '../common/errors/app-error';

/**
 * The one rule for disabled accounts, called by login and refresh (and anything else that opens
 * or extends a session).
 * @throws AppError ACCOUNT_DISABLED (403) while an administrator has disabled the account.
 */
export function assertAccountActive(user: { disabledAt: Date | null }): void {
  if (user.disabledAt) throw new AppError('ACCOUNT_DISABLED');
}
