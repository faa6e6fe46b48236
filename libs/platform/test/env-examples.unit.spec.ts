import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

describe('services/*/.env.example', () => {
  it('lists what each service reads, as its config classes say (regenerate with node tools/generate-env-examples.mjs)', () => {
    // execFileSync throws with the generator's output, which names each stale file.
    expect(() => execFileSync(process.execPath, [path.join(ROOT, 'tools/generate-env-examples.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  }, 60_000);
});
