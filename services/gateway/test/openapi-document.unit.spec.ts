import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildGatewayOpenApiDocument } from '../src/openapi/gateway-openapi-document';

describe('docs/openapi.json', () => {
  it('is the document the gateway serves at /api/docs (regenerate with npm run docs:openapi)', async () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(__dirname, '../../../docs/openapi.json'), 'utf8'));
    // Through JSON as the file went: Swagger leaves `undefined` members, which the file cannot hold.
    const built: unknown = JSON.parse(JSON.stringify(await buildGatewayOpenApiDocument()));
    expect(built).toEqual(committed);
  });
});
