import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/errors/app-error';
import { ERRORS } from '../common/errors/error-codes';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator';
import { AuthLimiter } from './auth-limiter';
import type { AuthPrincipal } from './auth-principal';
import { bearerToken } from './jwt.strategy';
import { TokenService } from './token.service';

/**
 * The global guard: every route needs a valid access token unless marked `@Public()`. A token
 * verified before is only checked for expiry and revocation ({@link TokenService.knownPrincipal});
 * any other goes through passport-jwt, which remembers it once verified. Passport's
 * failures are mapped to stable codes (TOKEN_EXPIRED, TOKEN_INVALID, UNAUTHORIZED). Requests that
 * present a token and fail are counted per client IP ({@link AuthLimiter}); an address over the limit
 * gets 429 RATE_LIMITED for its authenticated requests until the window ends, before any verification.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: AuthLimiter,
    private readonly tokens: TokenService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.limiter.assertNotBlocked(request.ip);
    try {
      // A token verified before (by either transport) skips passport: only expiry and revocation are checked.
      const token = bearerToken(request);
      const known = token ? this.tokens.knownPrincipal(token) : null;
      if (known) {
        (request as FastifyRequest & { user?: AuthPrincipal }).user = known;
        return true;
      }
      return (await super.canActivate(context)) as boolean;
    } catch (err) {
      // Only a presented token that fails counts: a request without one is not a guess.
      if (err instanceof AppError && ERRORS[err.code].status === 401 && err.code !== 'UNAUTHORIZED') await this.limiter.countFailure(request.ip);
      throw err;
    }
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
