// Generated from libs/contracts/proto/bvs/auth/v1/auth.proto by tools/generate-grpc-types.mjs. Edit the .proto, then run
// `node tools/generate-grpc-types.mjs`; a unit test fails while this file is stale.

/** Who is asking and from where: kept on the session for the user's own audit. */
export interface ClientContext {
  readonly userAgent?: string | null;
  readonly ip?: string | null;
}

export interface RegisterRequest {
  readonly email: string;
  readonly password: string;
}

/** No account id: a caller learns it by logging in (the token's `sub`) or from GetProfile. */
export interface RegistrationAccepted {
  /** The address as auth normalised it (trimmed, NFKC, lower case). */
  readonly email: string;
}

export interface LogInRequest {
  readonly email: string;
  readonly password: string;
  readonly client: ClientContext;
}

export interface RefreshSessionRequest {
  /** Opaque; each use rotates it. */
  readonly refreshToken: string;
  readonly client: ClientContext;
}

export type LogOutRequest = Record<string, never>;

export interface LogOutResponse {
  readonly loggedOut: boolean;
}

export type GetProfileRequest = Record<string, never>;

export interface UserProfile {
  readonly id: string;
  readonly email: string;
  /** ISO-8601 instant. */
  readonly createdAt: string;
}

export interface SessionTokens {
  /** Always "Bearer". */
  readonly tokenType: string;
  readonly accessToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  /** Opaque; shown once, stored only as a hash. */
  readonly refreshToken: string;
  /** Seconds until the refresh token expires if unused. */
  readonly refreshExpiresIn: number;
}

/** `bvs.auth.v1.AuthService`: where it is defined and what each method takes and answers. */
export const AUTH_SERVICE = {
  package: 'bvs.auth.v1',
  service: 'AuthService',
  protoFile: 'bvs/auth/v1/auth.proto',
} as const;

export interface AuthServiceMethods {
  /** Answers alike whether the address was free or already had an account (which it leaves as it was), so the answer tells no one which addresses have accounts: docs/adr/0009. */
  readonly Register: { readonly request: RegisterRequest; readonly response: RegistrationAccepted };
  readonly LogIn: { readonly request: LogInRequest; readonly response: SessionTokens };
  readonly RefreshSession: { readonly request: RefreshSessionRequest; readonly response: SessionTokens };
  /** Ends the session the access token was issued for. */
  readonly LogOut: { readonly request: LogOutRequest; readonly response: LogOutResponse };
  readonly GetProfile: { readonly request: GetProfileRequest; readonly response: UserProfile };
}
