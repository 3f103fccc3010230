import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../common/errors/app-error';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator';

/**
 * The global guard: every route needs a valid access token unless marked `@Public()`. Passport's
 * failures are mapped to stable codes (TOKEN_EXPIRED, TOKEN_INVALID, UNAUTHORIZED).
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err instanceof AppError) throw err;
    if (user) return user;
    const name = (info as Error | undefined)?.name;
    const message = (info as Error | undefined)?.message ?? '';
    if (name === 'TokenExpiredError') throw new AppError('TOKEN_EXPIRED');
    if (/no auth token/i.test(message)) throw new AppError('UNAUTHORIZED');
    throw new AppError('TOKEN_INVALID');
  }
}
