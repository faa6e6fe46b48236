import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '@bvs/contracts';
import { importPKCS8, SignJWT } from 'jose';
import { AccessTokenVerifier } from '../src/auth/access-token-verifier';
import { testSigningKeys } from '../src/testing/test-keys';

const KEYS = testSigningKeys();
const SETTINGS = { publicKeyPem: KEYS.publicKeyPem, keyId: KEYS.keyId, issuer: 'bvs-auth', audience: 'bvs' };

async function accessToken(userId: string, expiresInSeconds: number): Promise<string> {
  return new SignJWT({ sid: randomUUID() })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: KEYS.keyId, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(SETTINGS.issuer)
    .setAudience(SETTINGS.audience)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1_000) + expiresInSeconds)
    .sign(await importPKCS8(KEYS.privateKeyPem, ACCESS_TOKEN_ALGORITHM));
}

describe('verifying access tokens', () => {
  afterEach(() => jest.useRealTimers());

  it('given a token verified once, when it comes again after its expiry, then it is refused although it was remembered', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-04T12:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const verifier = await AccessTokenVerifier.create(SETTINGS);
    const userId = randomUUID();
    const token = await accessToken(userId, 60);
    expect(await verifier.verify(token)).toMatchObject({ userId });
    jest.setSystemTime(new Date('2026-12-04T12:00:59Z'));
    expect(await verifier.verify(token)).toMatchObject({ userId });
    jest.setSystemTime(new Date('2026-12-04T12:01:00Z'));
    expect(await verifier.verify(token)).toBeUndefined();
  });

  it('given a remembered token, when one character of its signature changes, then the changed token is refused', async () => {
    const verifier = await AccessTokenVerifier.create(SETTINGS);
    const token = await accessToken(randomUUID(), 60);
    expect(await verifier.verify(token)).toBeDefined();
    const tampered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    expect(await verifier.verify(tampered)).toBeUndefined();
  });
});
