import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const VALIDATOR = path.join(ROOT, 'tools/validate-deploy.mjs');
// Rendering three trees and compiling the CRD schemas takes a few seconds per run.
const RUN_TIMEOUT_MS = 60_000;

interface Outcome {
  code: number | null;
  output: string;
}

/** A copy of what validate:deploy reads, for mistakes to be seeded into. */
function copyOfDeployTree(): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'bvs-deploy-'));
  cpSync(path.join(ROOT, 'deploy/k8s'), path.join(copy, 'deploy/k8s'), { recursive: true });
  cpSync(path.join(ROOT, 'deploy/kafka'), path.join(copy, 'deploy/kafka'), { recursive: true });
  cpSync(path.join(ROOT, 'docker-compose.yml'), path.join(copy, 'docker-compose.yml'));
  cpSync(path.join(ROOT, 'deploy/local/up.sh'), path.join(copy, 'deploy/local/up.sh'));
  cpSync(path.join(ROOT, 'Dockerfile'), path.join(copy, 'Dockerfile'));
  return copy;
}

function edit(copy: string, file: string, from: string, to: string): void {
  const target = path.join(copy, file);
  const text = readFileSync(target, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer holds ${JSON.stringify(from)}: update this test`);
  writeFileSync(target, text.replace(from, to));
}

function validate(copy: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', VALIDATOR, copy], { timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('npm run validate:deploy on a copy of deploy/', () => {
  const copies: string[] = [];
  let clean: Promise<Outcome>;
  let seeded: Promise<Outcome>;

  beforeAll(() => {
    const cleanCopy = copyOfDeployTree();
    // Every mistake goes into one copy, each where it is reported on its own, so the two runs
    // (a few seconds each) go side by side.
    const seededCopy = copyOfDeployTree();
    copies.push(cleanCopy, seededCopy);
    edit(seededCopy, 'deploy/k8s/base/auth/deployment.yaml', 'readinessProbe:', 'readinesProbe:');
    // Only the rendered prod overlay holds this: the patch is checked as applied, against the CRD.
    edit(seededCopy, 'deploy/k8s/overlays/prod/patches/postgres.yaml', '  instances: 3', '  instance: 3');
    edit(seededCopy, 'deploy/k8s/base/wallet/service.yaml', '  selector:\n    app.kubernetes.io/name: wallet', '  selector:\n    app.kubernetes.io/name: walet');
    rmSync(path.join(seededCopy, 'deploy/k8s/secret-templates/provider.yaml'));
    // The heap flags measured in up.sh, changed there and in the image only: compose and every
    // Deployment now differ from the reference; the image's arena bound is changed on its own.
    edit(seededCopy, 'deploy/local/up.sh', 'V8_HEAP_FLAGS="--max-semi-space-size=16 ', 'V8_HEAP_FLAGS="--max-semi-space-size=32 ');
    edit(seededCopy, 'Dockerfile', 'exec node --max-semi-space-size=16 ', 'exec node --max-semi-space-size=32 ');
    edit(seededCopy, 'Dockerfile', 'ENV MALLOC_ARENA_MAX=2', 'ENV MALLOC_ARENA_MAX=8');
    edit(seededCopy, 'deploy/k8s/base/network-policies/redis.yaml', 'bvs.io/redis-client: "true"\n      ports', 'bvs.io/redis-clients: "true"\n      ports');
    clean = validate(cleanCopy);
    seeded = validate(seededCopy);
  });

  afterAll(() => {
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  });

  it(
    'accepts the tree as it is',
    async () => {
      const outcome = await clean;
      expect(outcome.output).toContain('are valid');
      expect(outcome.code).toBe(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'refuses each seeded mistake',
    async () => {
      const outcome = await seeded;
      expect(outcome.code).toBe(1);
      // A misspelt field of a built-in kind, reported for the base and each overlay that renders it.
      expect(outcome.output).toContain('deploy/k8s/base, deploy/k8s/overlays/dev, deploy/k8s/overlays/prod: Deployment auth: unknown field "readinesProbe" at /spec/template/spec/containers/0');
      // A misspelt field of a custom resource that only an overlay's patch brings.
      expect(outcome.output).toContain('deploy/k8s/overlays/prod: Cluster bvs-postgres: unknown field "instance" at /spec');
      expect(outcome.output).toContain('Service wallet: selector {"app.kubernetes.io/name":"walet"} matches no pod of any workload');
      expect(outcome.output).toContain('Deployment billing: reads Secret bvs-provider (envFrom of container billing), which is neither in this render nor a template');
      expect(outcome.output).toContain('NetworkPolicy redis: peer podSelector {"bvs.io/redis-clients":"true"} matches no pod of any workload');
      const reference = 'not deploy/local/up.sh\'s "--max-semi-space-size=32 --initial-old-space-size=64 --heap-growing-percent=50"';
      expect(outcome.output).toContain(`docker-compose.yml: service gateway starts node with flags "--max-semi-space-size=16 --initial-old-space-size=64 --heap-growing-percent=50", ${reference}`);
      expect(outcome.output).toContain(`deploy/k8s/base, deploy/k8s/overlays/dev, deploy/k8s/overlays/prod: Deployment wallet (container wallet) starts node with flags "--max-semi-space-size=16 --initial-old-space-size=64 --heap-growing-percent=50", ${reference}`);
      expect(outcome.output).toContain('Dockerfile: ENV MALLOC_ARENA_MAX is "8", not deploy/local/up.sh\'s "2"');
      expect(outcome.output).not.toContain('Dockerfile: CMD');
    },
    RUN_TIMEOUT_MS,
  );
});
