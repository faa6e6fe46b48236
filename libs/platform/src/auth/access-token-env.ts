import { Expose } from 'class-transformer';
import { IsString, Matches, MinLength } from 'class-validator';
import type { AccessTokenSettings } from './access-token-verifier';

/** Variables of a process that checks access tokens (the gateway, wallet, billing): never a signing key. */
export class AccessTokenEnv {
  /** PEM (SPKI) of auth's P-256 public key: the process can check tokens but never mint one. */
  @Expose()
  @Matches(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, { message: 'JWT_PUBLIC_KEY must be a PEM-encoded SPKI public key' })
  JWT_PUBLIC_KEY!: string;

  /** The `kid` tokens must name; a token signed under another key id is refused. */
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'JWT_KEY_ID must be 1-64 letters, digits, dots, dashes or underscores' })
  JWT_KEY_ID!: string;

  @Expose()
  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'bvs-auth';

  @Expose()
  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'bvs-api';
}

export function accessTokenSettingsOf(env: AccessTokenEnv): AccessTokenSettings {
  return { publicKeyPem: env.JWT_PUBLIC_KEY, keyId: env.JWT_KEY_ID, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
}
