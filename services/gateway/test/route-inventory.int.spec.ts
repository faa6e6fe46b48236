import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningService } from '@bvs/platform';
import { testServiceEnv, testSigningKeys } from '@bvs/platform/testing';
import { startGateway } from '../src/app';
import { OPENAPI_JSON_PATH } from '../src/http/configure-http';

interface RouterLayer {
  readonly route?: { readonly path: string; readonly methods: Readonly<Record<string, boolean>> };
}

/** OpenAPI's `{id}` for Express's `:id`, so both lists speak one syntax. */
const asOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/**
 * The API inventory (OWASP API9): every route the gateway's router serves is in the OpenAPI
 * document, and everything the document promises is served. Read from the running application's
 * own router, not from its start-up log, whose wording Nest may change at any release.
 */
describe('the gateway serves exactly the routes it documents', () => {
  let gateway: RunningService;

  beforeAll(async () => {
    const keys = testSigningKeys();
    // No backend needs to answer: the router is built whatever their state (readiness reports them).
    gateway = await startGateway(
      testServiceEnv({ JWT_PUBLIC_KEY: keys.publicKeyPem, JWT_KEY_ID: keys.keyId, REDIS_KEY_PREFIX: `it-routes-${randomUUID()}:` }),
    );
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it('documents every route its router serves, and serves every route it documents', async () => {
    // Express 5's router: one layer per route, with the methods it answers.
    const { router } = gateway.app.getHttpAdapter().getInstance() as { router: { stack: readonly RouterLayer[] } };
    const served = router.stack.flatMap((layer) =>
      layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${asOpenApiPath(layer.route?.path ?? '')}`) : [],
    );
    // Swagger's own pages are the documentation, not part of it; the body parser is middleware on
    // every path (`/api`, `/api/{*path}`), not a route that answers.
    const api = served.filter((route) => !route.includes('/api/docs') && !/ \/api(\/\{\*path\})?$/.test(route));
    const document = (await (await fetch(`${gateway.url}/${OPENAPI_JSON_PATH}`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));

    expect(api.length).toBeGreaterThanOrEqual(15);
    expect(new Set(documented)).toEqual(new Set(api));
    // And what it serves is the committed docs/openapi.json, which the lint and the unit test read.
    expect(document).toEqual(JSON.parse(readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8')));
  });
});
