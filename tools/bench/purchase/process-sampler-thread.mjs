// The ProcessSampler on a thread of its own. Reading /proc blocks the thread that reads it (PSS
// makes the kernel walk every page of every PostgreSQL backend: 40-84 ms on a loaded machine),
// and on the load generator's event loop that delayed every send and every answer it was timing
// (docs/benchmarks.md, 2026-12-07, late morning). Here only this thread waits for the kernel.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { pidOf } from '../../lib/local-system.mjs';
import { pidsNamed, ProcessSampler } from './stats.mjs';

/**
 * Which processes to sample, in a form a thread can be handed: the pid file of an instance up.sh
 * or infra.sh started, a command name (every process running it), or a pid.
 * @typedef {{ name: string, shared?: boolean } & ({ instance: string } | { command: string } | { pid: number })} SampledProcess
 */

/** Samples `processes` (SampledProcess[]) from start() to stop() on a worker thread; stop() answers what ProcessSampler.stop() does. */
export class ProcessSamplerThread {
  constructor(processes) {
    this.processes = processes;
  }

  /** Resolves once the thread has taken its first sample, so the figures start where the caller does. */
  async start() {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { processes: this.processes } });
    await this.nextMessage();
  }

  async stop() {
    const usage = this.nextMessage();
    this.worker.postMessage('stop');
    const figures = await usage;
    await this.worker.terminate();
    return figures;
  }

  nextMessage() {
    return new Promise((resolve, reject) => {
      const fail = (error) => reject(error);
      this.worker.once('error', fail);
      this.worker.once('message', (message) => {
        this.worker.off('error', fail);
        resolve(message);
      });
    });
  }
}

function pidsFunctionOf(sampled) {
  if ('instance' in sampled) return () => pidOf(sampled.instance);
  if ('command' in sampled) return () => pidsNamed(sampled.command);
  return () => [sampled.pid];
}

if (!isMainThread) {
  const sampler = new ProcessSampler(workerData.processes.map((sampled) => ({ name: sampled.name, shared: sampled.shared === true, pids: pidsFunctionOf(sampled) })));
  sampler.start();
  parentPort.postMessage('started');
  parentPort.once('message', () => parentPort.postMessage(sampler.stop()));
}
