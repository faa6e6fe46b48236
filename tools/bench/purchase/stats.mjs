import { readdirSync, readFileSync } from 'node:fs';

/** p50/p95/p99/max of a list of milliseconds, rounded to 0.1 ms; nulls when the list is empty. */
export function percentiles(values) {
  if (values.length === 0) return { p50: null, p95: null, p99: null, max: null, count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
  const round = (value) => Math.round(value * 10) / 10;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]), count: sorted.length };
}

/**
 * Samples each process's resident memory and CPU from /proc every `intervalMs`, and keeps the peak
 * memory, the CPU used between start() and stop() (in seconds, and as a share of one core) and
 * the write system calls made meanwhile. Memory is RSS, or
 * for a group of processes sharing memory (PostgreSQL's backends and shared buffers) PSS, which
 * counts each shared page once across the group.
 *
 * The sampler shares the cores it measures, so it stays cheap: PSS makes the kernel walk every page
 * of every backend (measured at 1.5% of this machine's CPU when read twice a second), so it is read
 * only every `sharedMemoryEvery`-th sample; shared buffers change slowly.
 */
export class ProcessSampler {
  constructor(processes, intervalMs = 500, sharedMemoryEvery = 10) {
    this.processes = processes;
    this.intervalMs = intervalMs;
    this.sharedMemoryEvery = sharedMemoryEvery;
    this.samples = 0;
    this.peakMiB = new Map();
    this.startTicks = new Map();
    this.lastTicks = new Map();
    this.startWrites = new Map();
  }

  start() {
    this.startedAt = performance.now();
    for (const { name, pids } of this.processes) {
      this.startTicks.set(name, this.ticksOf(pids));
      this.startWrites.set(name, new Map(pids().map((pid) => [pid, writeSyscallsOf(pid)])));
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const ticksPerSecond = 100;
    return Object.fromEntries(
      this.processes.map(({ name }) => {
        const cpuSeconds = ((this.lastTicks.get(name) ?? 0) - (this.startTicks.get(name) ?? 0)) / ticksPerSecond;
        return [
          name,
          {
            peakMemoryMiB: this.peakMiB.get(name) ?? null,
            cpuCores: Number((cpuSeconds / seconds || 0).toFixed(2)),
            cpuSeconds: Number(cpuSeconds.toFixed(2)),
            writeSyscalls: this.writesSinceStart(name),
          },
        ];
      }),
    );
  }

  sample() {
    const withSharedMemory = this.samples % this.sharedMemoryEvery === 0;
    this.samples += 1;
    for (const { name, pids, shared } of this.processes) {
      const ids = pids();
      if (!shared || withSharedMemory) {
        const memoryOf = shared ? pssMiBOf : rssMiBOf;
        const mib = ids.reduce((sum, pid) => sum + memoryOf(pid), 0);
        this.peakMiB.set(name, Math.max(this.peakMiB.get(name) ?? 0, Math.round(mib)));
      }
      this.lastTicks.set(name, ids.reduce((sum, pid) => sum + cpuTicksOf(pid), 0));
    }
  }

  /**
   * write, writev, send... calls since start() (/proc/PID/io `syscw`): on a machine where a system
   * call costs what a page-table switch costs, each round trip to a socket shows here. Read once at
   * each end, so a process that ended meanwhile (a PostgreSQL backend) drops out of the sum.
   */
  writesSinceStart(name) {
    const { pids } = this.processes.find((process) => process.name === name);
    const atStart = this.startWrites.get(name) ?? new Map();
    return pids().reduce((sum, pid) => sum + writeSyscallsOf(pid) - (atStart.get(pid) ?? 0), 0);
  }

  ticksOf(pids) {
    return pids().reduce((sum, pid) => sum + cpuTicksOf(pid), 0);
  }
}

/**
 * The pids of the processes whose command name is `command`, read from /proc: what `pgrep` answers,
 * without starting a process twice a second on the cores being measured.
 */
export function pidsNamed(command) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trimEnd() === command) pids.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return pids;
}

function rssMiBOf(pid) {
  try {
    const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kib / 1024;
  } catch {
    return 0;
  }
}

function pssMiBOf(pid) {
  try {
    const kib = Number(/Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    return kib / 1024;
  } catch {
    return 0;
  }
}

/** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
function writeSyscallsOf(pid) {
  try {
    return Number(/syscw: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function cpuTicksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Samples what PostgreSQL's client backends of the services' databases (`bvs_*`) are doing, every
 * `intervalMs`, from pg_stat_activity on one connection of its own, and reports how many backends
 * were in each state on average: running, idle in a transaction (waiting for the service's next
 * statement), or waiting on a lock, a WAL flush or I/O, with the statement they were on. Opt-in
 * (`--sample-waits`): a query every 10 ms costs the shared cores a little.
 */
export class PostgresWaitSampler {
  constructor(client, intervalMs = 10, top = 25) {
    this.client = client;
    this.intervalMs = intervalMs;
    this.top = top;
    this.samples = 0;
    this.counts = new Map();
    this.running = false;
  }

  start() {
    this.running = true;
    this.loop = this.sampleUntilStopped();
  }

  async stop() {
    this.running = false;
    await this.loop;
    const averageBackends = [...this.counts]
      .sort((one, other) => other[1] - one[1])
      .slice(0, this.top)
      .map(([what, count]) => ({ what, backends: Number((count / Math.max(this.samples, 1)).toFixed(3)) }));
    return { samples: this.samples, intervalMs: this.intervalMs, averageBackends };
  }

  async sampleUntilStopped() {
    while (this.running) {
      const { rows } = await this.client.query(
        `SELECT datname, state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS waiting, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS statement
           FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND datname LIKE 'bvs\\_%' AND state <> 'idle' AND pid <> pg_backend_pid()`,
      );
      this.samples += 1;
      for (const row of rows) {
        const what = `${row.datname} | ${row.state} | ${row.waiting} | ${row.statement}`;
        this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}

/**
 * How starved of CPU the machine was between start() and stop(): the share of the time some task
 * was runnable but waiting for a core, from the kernel's pressure stall information
 * (/proc/pressure/cpu, `some` total in microseconds). It counts every process on the machine, ours
 * or not, so a run on a busy host says so in its own report. Null where the kernel has no PSI.
 */
export class CpuPressure {
  start() {
    this.startedAt = process.hrtime.bigint();
    this.stalledAtStart = stalledMicroseconds();
  }

  stop() {
    const stalledAtEnd = stalledMicroseconds();
    if (this.stalledAtStart === null || stalledAtEnd === null) return null;
    const elapsedMicroseconds = Number((process.hrtime.bigint() - this.startedAt) / 1000n);
    return Number((((stalledAtEnd - this.stalledAtStart) / elapsedMicroseconds) * 100).toFixed(1));
  }
}

function stalledMicroseconds() {
  try {
    const some = /^some .*total=(\d+)$/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some ? Number(some[1]) : null;
  } catch {
    return null;
  }
}
