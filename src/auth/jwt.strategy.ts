import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { AccessTokenClaims, AuthPrincipal } from './auth-principal';
import { JWT_ALGORITHM, jwtKey, TokenService } from './token.service';

/** The bearer token of a request's Authorization header, as passport-jwt reads it (null when absent). */
export const bearerToken: (request: FastifyRequest) => string | null = ExtractJwt.fromAuthHeaderAsBearerToken() as (request: FastifyRequest) => string | null;

/** passport-jwt strategy: bearer header only, HS256 only, then type and blacklist checks. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tokens: TokenService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      // A KeyObject, not the string: see jwtKey.
      secretOrKey: jwtKey(config.jwtSecret) as unknown as string,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  /**
   * Turns verified claims into the request's principal and remembers the token, so its later
   * requests skip verification ({@link JwtAuthGuard}, {@link TokenService.knownPrincipal}).
   * @throws AppError TOKEN_INVALID / TOKEN_REVOKED
   */
  validate(request: FastifyRequest, claims: Partial<AccessTokenClaims>): AuthPrincipal {
    const principal = this.tokens.principalFromClaims(claims);
    const token = bearerToken(request);
    return token ? this.tokens.remember(token, principal) : principal;
  }
}
