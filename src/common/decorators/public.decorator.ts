import { SetMetadata } from '@nestjs/common';

/** Metadata key read by the global JWT guard. */
export const IS_PUBLIC_KEY = 'isPublic';

/** Marks a route as reachable without an access token (the global JWT guard skips it). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
