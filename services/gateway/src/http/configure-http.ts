import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { GatewayEnv } from '../config/gateway-env';

export const OPENAPI_JSON_PATH = 'api/docs-json';

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
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Bill Vending Service')
        .setDescription(
          'Buy prepaid electricity from a funded wallet. Amounts are integer minor units (kobo). ' +
            'Errors are RFC 9457 problem details (application/problem+json) with a stable `code` and the request id.',
        )
        .setVersion('1')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH });
  };
}
