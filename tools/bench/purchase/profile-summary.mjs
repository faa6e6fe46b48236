// Where a service's CPU went during a benchmark, from V8 CPU profiles
// (NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR" on up.sh; each process writes DIR/CPU.*.cpuprofile
// when it exits):
//
//   node tools/bench/purchase/profile-summary.mjs [--top 15] FILE.cpuprofile...
//
// Prints each profile's busy time (everything but idle), how much of it the thread spent waiting for
// a core rather than running, and the busy time split by where the sampled function lives:
// an npm package, the project's own code (libs/…, services/…), Node's internals, the garbage
// collector; then the functions with the most self time.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '15' } }, allowPositionals: true });
if (positionals.length === 0) {
  process.stderr.write('usage: node tools/bench/purchase/profile-summary.mjs [--top 15] FILE.cpuprofile...\n');
  process.exit(64);
}
const top = Number(values.top);

/** The package or area a profiled function belongs to, from its script's URL. */
function areaOf({ functionName, url }) {
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName;
  if (!url) return '(native)';
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const [first, second] = url.slice(inModules + 'node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? url);
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const own = /\/(libs|services)\/([^/]+)\//.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  // timeDeltas[i] is the time from sample i-1 to sample i: charge it to sample i's node.
  profile.samples.forEach((nodeId, index) => selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const gapUs = waitedUs(profile, nodes);
  const byArea = new Map();
  const byFunction = new Map();
  let busyUs = 0;
  for (const [nodeId, us] of selfUs) {
    const frame = nodes.get(nodeId).callFrame;
    const area = areaOf(frame);
    if (area === '(idle)') continue;
    busyUs += us;
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${area}${frame.url && !frame.url.includes('node_modules') ? `:${frame.url.split('/').pop()}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const wallUs = profile.endTime - profile.startTime;
  const share = (us) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
  process.stdout.write(`\n${file}\n  busy ${(busyUs / 1e6).toFixed(1)} s of ${(wallUs / 1e6).toFixed(1)} s profiled\n`);
  process.stdout.write(
    `  of it ${(gapUs.total / 1e6).toFixed(1)} s (${share(gapUs.total).trim()}) off its core, waiting for one (gaps between samples over ${(gapUs.thresholdUs / 1e3).toFixed(1)} ms, less one interval each)\n`,
  );
  process.stdout.write('  by area:\n');
  for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`    ${share(us)}  ${area}\n`);
  process.stdout.write('  by function (self time):\n');
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`    ${share(us)}  ${name}\n`);
}

/**
 * The profiler's thread samples the main thread about every millisecond, but a thread waiting for
 * a core takes no sample until it runs again, and the whole gap is charged to the frame it resumes
 * in (often a socket write, where a woken receiver took the core). On a starved machine that is
 * half of the "busy" time (docs/benchmarks.md, 2026-12-06 late evening). A gap counts when it is
 * over three times the profile's median interval, and what it exceeds that interval by is waiting.
 */
function waitedUs(profile, nodes) {
  const deltas = profile.timeDeltas.slice(1).filter((us) => us > 0);
  const sorted = [...deltas].sort((a, b) => a - b);
  const intervalUs = sorted[Math.floor(sorted.length / 2)] ?? 1_000;
  const thresholdUs = 3 * intervalUs;
  let total = 0;
  profile.samples.forEach((nodeId, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    if (us > thresholdUs && areaOf(nodes.get(nodeId).callFrame) !== '(idle)') total += us - intervalUs;
  });
  return { total, thresholdUs };
}
