// Writes docs/openapi.json from the built gateway (run through `npm run docs:openapi`, which builds
// first): the document /api/docs serves, built from the gateway's module without starting it. A
// unit test compares the file with the code, and `npm test` lints it (redocly.yaml).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildGatewayOpenApiDocument } = createRequire(import.meta.url)(join(root, 'dist/services/gateway/src/openapi/gateway-openapi-document.js'));
writeFileSync(join(root, 'docs/openapi.json'), `${JSON.stringify(await buildGatewayOpenApiDocument(), null, 2)}\n`);
console.log('docs/openapi.json written');
