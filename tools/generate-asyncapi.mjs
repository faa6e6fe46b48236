// Writes docs/asyncapi.yaml from the built contracts (run through `npm run docs:asyncapi`, which
// builds first). A unit test compares the file with the contracts, so it cannot go stale unnoticed.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { asyncApiDocument } = createRequire(import.meta.url)(join(root, 'dist/libs/contracts/src/index.js'));
const header = '# Generated from libs/contracts by `npm run docs:asyncapi`; edit the contracts, not this file.\n';
writeFileSync(join(root, 'docs/asyncapi.yaml'), header + stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false }));
console.log('docs/asyncapi.yaml written');
