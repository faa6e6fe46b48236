import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AccessTokenEnv, loadConfig } from '@bvs/platform';
import Redis from 'ioredis';
import { AppModule } from '../app.module';
import { BackendClients } from '../backends/backend-clients';
import { GatewayEnv } from '../config/gateway-env';
import { API_PREFIX } from '../http/configure-http';
import { openApiDocument } from '../http/openapi-document';

/**
 * The gateway's OpenAPI document as /api/docs serves it, built without a network: the gateway's
 * own module under its own prefix, read by the same openApiDocument(), in an application that
 * never listens. Nothing connects: gRPC channels connect on their first call, this Redis client
 * waits to be asked (it never is), and the token key is a throwaway, since no route's
 * documentation depends on a key. For `npm run docs:openapi` and the test that keeps
 * docs/openapi.json current.
 */
export async function buildGatewayOpenApiDocument(): Promise<OpenAPIObject> {
  const env = loadConfig(GatewayEnv, { HTTP_PORT: '0' });
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tokens = loadConfig(AccessTokenEnv, { JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(), JWT_KEY_ID: randomUUID() });
  const redis = new Redis({ lazyConnect: true });
  const module = AppModule.register(env, tokens, new BackendClients(env), { client: redis, keyPrefix: 'openapi:' });
  const app = await NestFactory.create(module, { logger: false, bodyParser: false });
  try {
    app.setGlobalPrefix(API_PREFIX);
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
