/**
 * Request-reply contract of the auth service. The gateway validates the shape of what users send;
 * auth owns the rules (normalisation, password policy, session state) and answers with these.
 */
export const AUTH_PATTERNS = {
  register: 'auth.register-user.v1',
  login: 'auth.log-in.v1',
  refresh: 'auth.refresh-session.v1',
  logout: 'auth.log-out.v1',
  profile: 'auth.get-profile.v1',
} as const;

export const AUTH_ERROR_CODES = {
  emailTaken: 'AUTH.EMAIL_TAKEN',
  passwordPolicy: 'AUTH.PASSWORD_POLICY',
  invalidEmail: 'AUTH.INVALID_EMAIL',
  invalidCredentials: 'AUTH.INVALID_CREDENTIALS',
  refreshTokenInvalid: 'AUTH.REFRESH_TOKEN_INVALID',
  refreshTokenReused: 'AUTH.REFRESH_TOKEN_REUSED',
  userNotFound: 'AUTH.USER_NOT_FOUND',
} as const;

/** Who is asking and from where: kept on the session for the user's own audit. */
export interface ClientContext {
  readonly userAgent?: string;
  readonly ip?: string;
}

export interface RegisterUserRequest {
  readonly email: string;
  readonly password: string;
}

export interface UserProfile {
  readonly id: string;
  readonly email: string;
  readonly createdAt: string;
}

export interface LoginRequest extends ClientContext {
  readonly email: string;
  readonly password: string;
}

export interface RefreshSessionRequest extends ClientContext {
  readonly refreshToken: string;
}

export interface LogoutRequest {
  readonly userId: string;
  readonly sessionId: string;
}

export interface GetProfileRequest {
  readonly userId: string;
}

export interface SessionTokens {
  readonly tokenType: 'Bearer';
  readonly accessToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  /** Opaque; shown once, stored only as a hash. Each use rotates it. */
  readonly refreshToken: string;
  /** Seconds until the refresh token expires if unused. */
  readonly refreshExpiresIn: number;
}

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
