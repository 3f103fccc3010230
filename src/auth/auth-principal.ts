/** The authenticated caller, taken from a verified access token. */
export interface AuthPrincipal {
  userId: string;
  /** Token id, blacklisted on logout. */
  jti: string;
  /** Session id the token belongs to. */
  sessionId: string;
  /** Expiry of the access token, epoch seconds. */
  exp: number;
}

/** Claims of an access token. */
export interface AccessTokenClaims {
  sub: string;
  jti: string;
  sid: string;
  typ: 'access';
  iat: number;
  exp: number;
}
