import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, createSecretKey, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { TokenBlacklistService } from '../token-blacklist/token-blacklist.service';
import { AccessTokenClaims, AuthPrincipal } from './auth-principal';

/** The one signing algorithm accepted; tokens with any other `alg` (including `none`) are refused. */
export const JWT_ALGORITHM = 'HS256' as const;

/**
 * The HMAC key object of a JWT secret, made once. Handed a string, jsonwebtoken turns it into a key
 * on every sign and verify, first trying (and failing) to parse it as a PEM public key: ~5 ms per
 * request on a busy core, against ~0.08 ms with a KeyObject (docs/performance.md).
 */
export function jwtKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** Most verified access tokens {@link TokenService.verifyAccessToken} remembers (a few hundred bytes each). */
export const VERIFIED_TOKENS_MAX = 10_000;

/**
 * Issues and verifies tokens. Access tokens are HS256 JWTs with `sub`, `jti`, `sid`, `typ` and `exp`;
 * refresh tokens are opaque random strings of which only a SHA-256 hash is stored.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly blacklist: TokenBlacklistService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Signs an access token for a session. @returns the token and its lifetime in seconds. */
  signAccessToken(userId: string, sessionId: string): { token: string; expiresIn: number } {
    const expiresIn = this.config.accessTokenTtlSeconds;
    const token = this.jwt.sign(
      { sub: userId, sid: sessionId, typ: 'access' },
      { jwtid: randomUUID(), expiresIn, algorithm: JWT_ALGORITHM },
    );
    return { token, expiresIn };
  }

  /** A new opaque refresh token (256 random bits) and the hash to store. */
  newRefreshToken(): { token: string; hash: string } {
    const token = 'rt_' + randomBytes(32).toString('base64url');
    return { token, hash: this.hashRefreshToken(token) };
  }

  /** SHA-256 hex of a refresh token: what the sessions table stores. */
  hashRefreshToken(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  /**
   * Access tokens whose signature and claims were verified, with their principal: what a token says
   * never changes within its life, so presenting it again (every request, every reconnect, every
   * further connection of the user) costs a map lookup plus the expiry and revocation checks, not an
   * HMAC and a JSON parse. Keyed by the whole token, so any other string is verified in full; bounded
   * by {@link VERIFIED_TOKENS_MAX}, oldest dropped first. Filled by both transports: the WebSocket
   * `auth` frame ({@link verifyAccessToken}) and passport-jwt's first verification of a REST token
   * ({@link remember}).
   */
  private readonly verified = new Map<string, Readonly<AuthPrincipal>>();

  /**
   * Verifies an access token's signature, algorithm, expiry and type, then the blacklist (memory only).
   * A token verified before is only checked again for expiry and revocation (see {@link verified}).
   * @throws AppError TOKEN_EXPIRED, TOKEN_INVALID or TOKEN_REVOKED.
   */
  verifyAccessToken(token: string): AuthPrincipal {
    const known = this.knownPrincipal(token);
    if (known) return known;
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token, { algorithms: [JWT_ALGORITHM] });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw new AppError('TOKEN_EXPIRED');
      throw new AppError('TOKEN_INVALID');
    }
    return this.remember(token, this.principalFromClaims(claims));
  }

  /**
   * The principal of a token verified before, checked again for expiry and revocation only; null
   * for a token not (or no longer) remembered, which the caller then verifies in full.
   * @throws AppError TOKEN_EXPIRED (dropped from memory) or TOKEN_REVOKED.
   */
  knownPrincipal(token: string): AuthPrincipal | null {
    const known = this.verified.get(token);
    if (!known) return null;
    // Same order and rule as jsonwebtoken: expired once the clock reaches `exp`, then revoked.
    if (Date.now() >= known.exp * 1000) {
      this.verified.delete(token);
      throw new AppError('TOKEN_EXPIRED');
    }
    if (this.blacklist.isRevoked(known.jti, known.sessionId)) throw new AppError('TOKEN_REVOKED');
    return known;
  }

  /**
   * Remembers a token whose signature and claims were just verified in full (see {@link verified}).
   * @returns the principal, frozen: it is shared by every later use of the token.
   */
  remember(token: string, principal: AuthPrincipal): AuthPrincipal {
    const frozen = Object.freeze({ ...principal });
    // Oldest first out: a Map iterates in insertion order.
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, frozen);
    return frozen;
  }

  /**
   * True when the principal's token or session has been revoked since it was verified (memory only).
   * For callers that await between verifying a token and relying on it, such as a WebSocket
   * handshake that loads the user's rooms before registering the connection.
   */
  isRevoked(principal: AuthPrincipal): boolean {
    return this.blacklist.isRevoked(principal.jti, principal.sessionId);
  }

  /**
   * Checks the claims of a token whose signature is already verified (passport path).
   * @throws AppError TOKEN_INVALID for a wrong type or missing claims, TOKEN_REVOKED when blacklisted.
   */
  principalFromClaims(claims: Partial<AccessTokenClaims>): AuthPrincipal {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') {
      throw new AppError('TOKEN_INVALID');
    }
    if (this.blacklist.isRevoked(claims.jti, claims.sid)) throw new AppError('TOKEN_REVOKED');
    return { userId: claims.sub, jti: claims.jti, sessionId: claims.sid, exp: claims.exp };
  }
}
