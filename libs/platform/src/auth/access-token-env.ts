import { Expose } from 'class-transformer';
import { IsString, Matches, MinLength } from 'class-validator';
import type { AccessTokenSettings } from './access-token-verifier';

/** What names a token and whom it is for: auth writes these into every token, verifiers demand them. */
export class TokenIdentityEnv {
  /** The key's id: written into every token's `kid`, so verifiers can pick the key during a rotation. */
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'JWT_KEY_ID must be 1-64 letters, digits, dots, dashes or underscores' })
  JWT_KEY_ID!: string;

  /** The token's `iss`: who signed it. */
  @Expose()
  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'bvs-auth';

  /** The token's `aud`: whom it is for. */
  @Expose()
  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'bvs-api';
}

/** Variables of a process that checks access tokens (the gateway, wallet, billing): never a signing key. */
export class AccessTokenEnv extends TokenIdentityEnv {
  /** PEM (SPKI) of auth's P-256 public key: the process can check tokens but never mint one. */
  @Expose()
  @Matches(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, { message: 'JWT_PUBLIC_KEY must be a PEM-encoded SPKI public key' })
  JWT_PUBLIC_KEY!: string;
}

export function accessTokenSettingsOf(identity: TokenIdentityEnv, publicKeyPem: string): AccessTokenSettings {
  return { publicKeyPem, keyId: identity.JWT_KEY_ID, issuer: identity.JWT_ISSUER, audience: identity.JWT_AUDIENCE };
}
