import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthPrincipal } from '../auth/auth-principal';
import { AppError } from '../common/errors/app-error';

/**
 * Lets only server admins through (after the global JWT guard made the caller known). Checked
 * against the database on every admin request, so a demotion takes effect at once; admin traffic is
 * rare, so the query costs nothing that matters.
 * @throws AppError FORBIDDEN (403) for everyone else
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly dataSource: DataSource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    if (!principal) throw new AppError('UNAUTHORIZED');
    const rows = (await this.dataSource.query(`SELECT 1 FROM users WHERE id = $1 AND is_admin AND deleted_at IS NULL AND disabled_at IS NULL`, [
      principal.userId,
    ])) as unknown[];
    if (rows.length === 0) throw new AppError('FORBIDDEN', 'Only server administrators may do this.');
    return true;
  }
}
