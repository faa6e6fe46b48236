import { INestApplication, Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_ROUTE } from '@bvs/platform';

const BEARER = 'bearer';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Spelt out rather than left to Swagger's default: publicOperationIds() must name operations the same way. */
const operationIdOf = (controllerKey: string, methodKey: string) => `${controllerKey}_${methodKey}`;

/**
 * The OpenAPI document of an application built from the gateway's module: what Swagger UI shows at
 * /api/docs, and what docs/openapi.json holds (npm run docs:openapi writes it with this function,
 * and a test fails when the two differ).
 *
 * Security is documented the way JwtAuthGuard enforces it: a bearer token for every operation,
 * except those whose handler or controller is marked @PublicRoute(), which say `security: []`.
 * Read from the same metadata as the guard, so a new public route cannot be documented as closed.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Bill Vending Service')
      .setDescription(
        'Buy prepaid electricity from a funded wallet. Amounts are integer minor units (kobo). ' +
          'Errors are RFC 9457 problem details (application/problem+json) with a stable `code` and the request id.',
      )
      .setVersion('1')
      .setLicense('MIT', 'https://opensource.org/license/mit')
      .addServer('/', 'The gateway that serves this document')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER)
      .addSecurityRequirements(BEARER)
      .build(),
    { operationIdFactory: operationIdOf },
  );
  const open = publicOperationIds(app);
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation?.operationId !== undefined && open.has(operation.operationId)) operation.security = [];
    }
  }
  return document;
}

/** The operation ids of every route handler that JwtAuthGuard lets through without a token. */
function publicOperationIds(app: INestApplication): ReadonlySet<string> {
  const reflector = app.get(Reflector);
  const ids = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler: unknown = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value;
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        if (reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [handler, controller])) ids.add(operationIdOf(controller.name, name));
      }
    }
  }
  return ids;
}
