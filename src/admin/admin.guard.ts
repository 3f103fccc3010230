import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthPrincipal } from '../auth/auth-principal';
import { AppError } from '../common/errors/app-error';
import { AdminRepository } from './admin.repository';

/**
 * Lets only server admins through (after the global JWT guard made the caller known). Checked
 * against the database on every admin request, so a demotion takes effect at once; admin traffic is
 * rare, so the query costs nothing that matters.
 * @throws AppError FORBIDDEN (403) for everyone else
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly admins: AdminRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    if (!principal) throw new AppError('UNAUTHORIZED');
    if (!(await this.admins.isActiveAdmin(principal.userId))) throw new AppError('FORBIDDEN', 'Only server administrators may do this.');
    return true;
  }
}
