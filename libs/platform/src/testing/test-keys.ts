import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface TestSigningKeys {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly keyId: string;
}

/** A fresh P-256 key pair per test run: no key material is ever committed, not even for tests. */
export function testSigningKeys(): TestSigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: `test-${randomBytes(4).toString('hex')}`,
  };
}
