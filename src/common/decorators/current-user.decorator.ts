import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthPrincipal } from '../../auth/auth-principal';

/** Injects the authenticated caller ({@link AuthPrincipal}) that the JWT guard put on the request. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthPrincipal => {
  const request = ctx.switchToHttp().getRequest<{ user: AuthPrincipal }>();
  return request.user;
});
