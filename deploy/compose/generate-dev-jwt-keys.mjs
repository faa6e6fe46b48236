// DEV ONLY: makes the JWT key pair (and the provider simulator's API key, the payment processor's
// secret key, and the Kafka identities' passwords) for `docker compose`, so that no private key or secret is committed.
// Runs as the one-shot `jwt-keys` service before auth and the gateway start. The pair is kept in
// named volumes and reused on later runs, so tokens issued before a restart stay valid; remove
// the volumes (`docker compose down -v`) to rotate it.
//
// signing/private.pem (PKCS#8) and signing/kid go to auth only; verification/public.pem (SPKI)
// and verification/kid go to the gateway. The key id is the RFC 7638 thumbprint, so a new pair always gets a new id.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SIGNING_DIR = '/keys/signing';
const VERIFICATION_DIR = '/keys/verification';
// The uid:gid the service image runs as (USER in the Dockerfile).
const SERVICE_UID = 1000;
const SERVICE_GID = 1000;

const PROVIDER_KEY_DIR = '/keys/provider';
const providerKeyPath = join(PROVIDER_KEY_DIR, 'api-key');

// The simulator's merchant key, shared by the simulator (which requires it) and billing (which sends
// it): made once and kept, like the key pair.
if (existsSync(providerKeyPath)) {
  console.log('jwt-keys: provider API key already present, keeping it');
} else {
  writeOwned(providerKeyPath, randomBytes(24).toString('hex'), 0o400);
  console.log('jwt-keys: generated the provider API key');
}

// The payment processor's secret key, shared by the simulator (which plays Paystack: it signs its
// webhooks with it) and the wallet (which calls its API and checks the signatures).
const processorKeyPath = join('/keys/processor', 'secret-key');
if (existsSync(processorKeyPath)) {
  console.log('jwt-keys: payment processor key already present, keeping it');
} else {
  writeOwned(processorKeyPath, `sk_test_${randomBytes(24).toString('hex')}`, 0o400);
  console.log('jwt-keys: generated the payment processor key');
}

// One password per Kafka identity (ADR 0006), each in a volume only its users mount: the broker and
// kafka-setup see the admin's and the controller's, each service only its own, kafka-setup all.
const KAFKA_CREDENTIALS = {
  '/keys/kafka-broker': ['bvs-admin', 'bvs-controller'],
  '/keys/kafka-auth': ['bvs-auth'],
  '/keys/kafka-wallet': ['bvs-wallet'],
  '/keys/kafka-billing': ['bvs-billing'],
};
for (const [directory, identities] of Object.entries(KAFKA_CREDENTIALS)) {
  for (const identity of identities) {
    const path = join(directory, identity);
    if (existsSync(path)) continue;
    writeOwned(path, randomBytes(24).toString('hex'), 0o400);
    console.log(`jwt-keys: generated the Kafka password of ${identity}`);
  }
}

const privatePath = join(SIGNING_DIR, 'private.pem');
const kidPath = join(SIGNING_DIR, 'kid');
const publicPath = join(VERIFICATION_DIR, 'public.pem');
const verificationKidPath = join(VERIFICATION_DIR, 'kid');

if ([privatePath, kidPath, publicPath, verificationKidPath].every((path) => existsSync(path))) {
  console.log('jwt-keys: key pair already present, keeping it');
  process.exit(0);
}

// ES256 (P-256): the only algorithm auth signs with and the gateway accepts.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

writeOwned(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o400);
writeOwned(kidPath, thumbprint(publicKey), 0o444);
writeOwned(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), 0o444);
writeOwned(verificationKidPath, thumbprint(publicKey), 0o444);
console.log(`jwt-keys: generated a new ES256 key pair, kid ${thumbprint(publicKey)}`);

// RFC 7638: SHA-256 over the required members of the JWK, in lexicographic order, base64url.
function thumbprint(publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  const members = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function writeOwned(path, content, mode) {
  writeFileSync(path, content, { mode });
  chownSync(path, SERVICE_UID, SERVICE_GID);
  chmodSync(path, mode);
}
