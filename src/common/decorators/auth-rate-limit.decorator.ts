import { SetMetadata } from '@nestjs/common';

/** Metadata key: the route is limited per client IP by RATE_LIMIT_AUTH_PER_MINUTE. */
export const AUTH_RATE_LIMIT_KEY = 'authRateLimit';

/** Puts a route (register, login, refresh) under the per-IP auth limit instead of the per-user one. */
export const AuthRateLimit = (): MethodDecorator => SetMetadata(AUTH_RATE_LIMIT_KEY, true);
