import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '@bvs/contracts';
import { withLowS, type TokenIdentityEnv } from '@bvs/platform';
import { importPKCS8, SignJWT } from 'jose';
import type { AuthEnv } from '../config/auth-env';

export interface SignedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

/**
 * Signs access tokens with the service's private key (ES256). Only auth can mint them; the
 * gateway verifies with the public key and the `kid`, so a leaked gateway cannot forge one.
 */
export class AccessTokenSigner {
  private constructor(
    private readonly key: Awaited<ReturnType<typeof importPKCS8>>,
    private readonly env: AuthEnv,
    private readonly identity: TokenIdentityEnv,
  ) {}

  static async create(env: AuthEnv, identity: TokenIdentityEnv): Promise<AccessTokenSigner> {
    const key = await importPKCS8(env.JWT_PRIVATE_KEY, ACCESS_TOKEN_ALGORITHM);
    return new AccessTokenSigner(key, env, identity);
  }

  async sign(userId: string, sessionId: string): Promise<SignedAccessToken> {
    const expiresIn = this.env.ACCESS_TOKEN_TTL_SECONDS;
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: this.identity.JWT_KEY_ID, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.identity.JWT_ISSUER)
      .setAudience(this.identity.JWT_AUDIENCE)
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .sign(this.key);
    // Verifiers accept only the low-S form of a signature (see es256-signature.ts); OpenSSL may give either.
    return { token: withLowS(token), expiresIn };
  }
}
