import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { AccessTokenClaims, AuthPrincipal } from './auth-principal';
import { JWT_ALGORITHM, jwtKey, TokenService } from './token.service';

/** passport-jwt strategy: bearer header only, HS256 only, then type and blacklist checks. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tokens: TokenService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: see jwtKey.
      secretOrKey: jwtKey(config.jwtSecret) as unknown as string,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /** Turns verified claims into the request's principal. @throws AppError TOKEN_INVALID / TOKEN_REVOKED */
  validate(claims: Partial<AccessTokenClaims>): AuthPrincipal {
    return this.tokens.principalFromClaims(claims);
  }
}
