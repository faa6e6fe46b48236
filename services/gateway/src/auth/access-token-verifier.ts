import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '@bvs/contracts';
import { importSPKI, jwtVerify } from 'jose';
import type { GatewayEnv } from '../config/gateway-env';

export interface AuthenticatedUser {
  readonly userId: string;
  readonly sessionId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks an access token without calling auth: signature with auth's public key, ES256 only (so
 * `none` and HMAC-with-the-public-key tricks fail), the expected kid, type, issuer and audience,
 * and expiry. Anything off yields undefined; the guard answers 401 without saying which check failed.
 */
export class AccessTokenVerifier {
  private constructor(
    private readonly key: Awaited<ReturnType<typeof importSPKI>>,
    private readonly env: GatewayEnv,
  ) {}

  static async create(env: GatewayEnv): Promise<AccessTokenVerifier> {
    return new AccessTokenVerifier(await importSPKI(env.JWT_PUBLIC_KEY, ACCESS_TOKEN_ALGORITHM), env);
  }

  async verify(token: string): Promise<AuthenticatedUser | undefined> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.key, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.env.JWT_ISSUER,
        audience: this.env.JWT_AUDIENCE,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'sid'],
      });
      if (protectedHeader.kid !== this.env.JWT_KEY_ID) return undefined;
      const { sub, sid } = payload;
      if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) return undefined;
      return { userId: sub, sessionId: sid };
    } catch {
      return undefined;
    }
  }
}
