import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { GatewayEnv } from '../config/gateway-env';
import { openApiDocument } from './openapi-document';

/** Every route of the public API starts with it. */
export const API_PREFIX = 'api';
export const OPENAPI_JSON_PATH = `${API_PREFIX}/docs-json`;

/** Security headers, proxy trust, Swagger UI at /api/docs and the OpenAPI document at /api/docs-json. */
export function configureHttp(env: GatewayEnv) {
  return (app: INestApplication): void => {
    const express = app as NestExpressApplication;
    express.set('trust proxy', env.TRUSTED_PROXY_HOPS);
    express.disable('x-powered-by');
    app.use(
      helmet({
        // Swagger UI loads its own script and styles; everything else is JSON, which needs no sources at all.
        contentSecurityPolicy: {
          directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
        },
      }),
    );
    SwaggerModule.setup(`${API_PREFIX}/docs`, app, openApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH });
  };
}
