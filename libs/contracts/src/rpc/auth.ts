/**
 * The auth service's stable error codes and the access token's shape. The calls themselves are
 * defined in proto/bvs/auth/v1/auth.proto (types in ../grpc/auth.ts).
 */
export const AUTH_ERROR_CODES = {
  passwordPolicy: 'AUTH.PASSWORD_POLICY',
  invalidEmail: 'AUTH.INVALID_EMAIL',
  invalidCredentials: 'AUTH.INVALID_CREDENTIALS',
  refreshTokenInvalid: 'AUTH.REFRESH_TOKEN_INVALID',
  refreshTokenReused: 'AUTH.REFRESH_TOKEN_REUSED',
  userNotFound: 'AUTH.USER_NOT_FOUND',
  unauthenticated: 'AUTH.UNAUTHENTICATED',
} as const;

/**
 * Claims of the access token beyond the registered ones (`iss`, `aud`, `sub` = user id, `exp`,
 * `iat`, `jti`). Signed by auth with ES256; the header names the key (`kid`) and `typ: at+jwt`.
 */
export interface AccessTokenClaims {
  /** The session (refresh-token family) the token was issued for. */
  readonly sid: string;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHM = 'ES256';
