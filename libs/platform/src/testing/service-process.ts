import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { eventually } from './eventually';
import { WORKSPACE_ROOT } from './infrastructure';

const OUTPUT_KEPT_CHARS = 20_000;
const STOP_GRACE_MS = 15_000;
/** Well above the services' log flush interval, so a line that was written is always found. */
const LOG_LINE_WAIT_MS = 5_000;

/**
 * One file per running service process, named by pid and holding its entry point. Each suite
 * stops what it started; these records let the Jest global teardown kill whatever a failed suite
 * left behind, so a failure ends the run instead of hanging it on open pipes.
 */
const PROCESS_RECORDS_DIR = path.join(WORKSPACE_ROOT, '.infra/test-processes');

export interface ServiceProcessOptions {
  /** Variables on top of the test runner's own environment; HTTP_PORT, GRPC_PORT and METRICS_PORT are chosen here. */
  readonly env: Readonly<Record<string, string>>;
  /** Path that answers 200 once the service is ready, e.g. `/health/ready`. */
  readonly readyPath: string;
  readonly readyTimeoutMs?: number;
  /** The HTTP port to serve on, when another process must be told it before this one starts (see `reserveFreePort`). */
  readonly httpPort?: number;
}

/**
 * A built service run as its own process, exactly as `node dist/services/<name>/src/main.js`
 * runs in production: end-to-end tests talk to it only over HTTP and Kafka.
 */
export class ServiceProcess {
  private output = '';
  private readonly chunks: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly url: string,
    /** grpc-js target of its gRPC server (`ipv4:127.0.0.1:<port>`); only backends serve one. */
    readonly grpcTarget: string,
    /** Its management listener (METRICS_PORT), where `GET /metrics` answers; the provider simulator keeps no metrics. */
    readonly metricsUrl: string,
    private readonly child: ChildProcess,
    /** The whole environment it was started with, ports included: what a restart starts again. */
    private readonly launchEnv?: Readonly<Record<string, string | undefined>>,
  ) {
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.chunks.push(text);
      this.output = (this.output + text).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    recordProcess(child);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        forgetProcess(child);
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  static entryPoint(name: string): string {
    return path.join(WORKSPACE_ROOT, 'dist/services', name, 'src/main.js');
  }

  /** Spawns the service and waits until its ready path answers 200. */
  static async start(name: string, options: ServiceProcessOptions): Promise<ServiceProcess> {
    const service = await ServiceProcess.spawn(name, options.env, options.httpPort);
    await service.waitUntilReady(options.readyPath, options.readyTimeoutMs ?? 90_000);
    return service;
  }

  /** Spawns the service on a free port without waiting for it, for tests of start-up itself. */
  static async spawn(name: string, env: Readonly<Record<string, string>>, httpPort?: number): Promise<ServiceProcess> {
    const entry = ServiceProcess.entryPoint(name);
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build the services first (npm run build)`);
    const [port, grpcPort, metricsPort] = httpPort === undefined ? await distinctFreePorts(3) : [httpPort, ...(await distinctFreePorts(2, [httpPort]))];
    const launchEnv = { ...process.env, ...env, HTTP_PORT: String(port), GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort) };
    const child = spawn(process.execPath, ['--enable-source-maps', entry], { env: launchEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServiceProcess(name, `http://127.0.0.1:${port}`, `ipv4:127.0.0.1:${grpcPort}`, `http://127.0.0.1:${metricsPort}`, child, launchEnv);
  }

  /**
   * The same service started again, on the same ports with the same environment, once this
   * process has exited: a restart, as after a crash, which its callers reach at the address they
   * already know. Waits until `readyPath` answers 200.
   */
  async startAgain(readyPath: string, readyTimeoutMs = 90_000): Promise<ServiceProcess> {
    if (this.running) throw new Error(`${this.name} is still running: stop or kill it before starting it again`);
    if (!this.launchEnv) throw new Error(`${this.name} was run to exit, not started: there is nothing to start again`);
    const child = spawn(process.execPath, ['--enable-source-maps', ServiceProcess.entryPoint(this.name)], { env: this.launchEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const again = new ServiceProcess(this.name, this.url, this.grpcTarget, this.metricsUrl, child, this.launchEnv);
    await again.waitUntilReady(readyPath, readyTimeoutMs);
    return again;
  }

  /** True while the process has not exited. */
  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Runs the service expecting it to refuse to start; resolves with its exit code and output. */
  static async runToExit(name: string, env: Readonly<Record<string, string>>, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
    // A free management port unless the test names one: no two of these ever race for the default.
    const child = spawn(process.execPath, [ServiceProcess.entryPoint(name)], { env: { ...process.env, METRICS_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const service = new ServiceProcess(name, '', '', '', child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await service.exited;
    clearTimeout(timer);
    return { code, output: service.output };
  }

  get recentOutput(): string {
    return this.output;
  }

  /** Everything the process wrote since it started, for tests that read its log lines. */
  get fullOutput(): string {
    return this.chunks.join('');
  }

  /**
   * The first line it wrote that contains `text`, waited for: services write their log lines in
   * batches, a moment after the work they describe (libs/platform logging). Throws after `timeoutMs`.
   */
  async lineContaining(text: string, timeoutMs = LOG_LINE_WAIT_MS): Promise<string> {
    return eventually(async () => this.fullOutput.split('\n').find((line) => line.includes(text)), `a line of ${this.name} containing "${text}"`, timeoutMs);
  }

  /** SIGKILL, as a crash or an OOM kill: no shutdown hooks, no leaving the consumer group. */
  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGSTOP: the process keeps its sockets open and answers nothing, like a hung service. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.child.kill('SIGCONT');
  }

  /** SIGTERM, as Kubernetes sends it; resolves with the exit code once the process is gone. */
  async stop(): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    // A paused process would never see the SIGTERM.
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Polls `readyPath` until it answers 200; stops the process and throws if it never does. */
  async waitUntilReady(readyPath: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) {
        throw new Error(`${this.name} exited with code ${this.exitCode} before it was ready:\n${this.output}`);
      }
      const ready = await fetch(`${this.url}${readyPath}`, { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await this.stop();
    throw new Error(`${this.name} was not ready at ${readyPath} within ${timeoutMs} ms:\n${this.output}`);
  }
}

/**
 * The Jest run that owns a service process: the global setup names it (its own pid) in the
 * environment, which workers inherit. Two runs in one checkout (an int run beside an e2e run)
 * must never kill each other's services.
 */
const TEST_RUN_VARIABLE = 'BVS_TEST_RUN_PID';

interface ProcessRecord {
  readonly runPid: number;
  readonly commandLine: string;
}

export function markTestRun(): void {
  process.env[TEST_RUN_VARIABLE] = String(process.pid);
}

function recordProcess(child: ChildProcess): void {
  if (child.pid === undefined) return;
  mkdirSync(PROCESS_RECORDS_DIR, { recursive: true });
  const record: ProcessRecord = { runPid: Number(process.env[TEST_RUN_VARIABLE] ?? process.pid), commandLine: child.spawnargs.join(' ') };
  writeFileSync(path.join(PROCESS_RECORDS_DIR, String(child.pid)), JSON.stringify(record));
}

function forgetProcess(child: ChildProcess): void {
  if (child.pid !== undefined) rmSync(path.join(PROCESS_RECORDS_DIR, String(child.pid)), { force: true });
}

/**
 * SIGKILLs the service processes that `belongsToThem` picks among those still recorded, and
 * returns their command lines. A pid is killed only while its command line is still the recorded
 * one: pids are reused.
 */
function killRecorded(belongsToThem: (record: ProcessRecord) => boolean): string[] {
  if (!existsSync(PROCESS_RECORDS_DIR)) return [];
  const killed: string[] = [];
  for (const name of readdirSync(PROCESS_RECORDS_DIR)) {
    const file = path.join(PROCESS_RECORDS_DIR, name);
    let record: ProcessRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (!belongsToThem(record)) continue;
    const pid = Number(name);
    if (Number.isInteger(pid) && commandLineOf(pid) === record.commandLine) {
      process.kill(pid, 'SIGKILL');
      killed.push(`${pid} ${record.commandLine}`);
    }
    rmSync(file, { force: true });
  }
  return killed;
}

/** For the global teardown: every service this run started and did not stop. */
export function killThisRunsServiceProcesses(): string[] {
  return killRecorded((record) => record.runPid === process.pid);
}

/** For the global setup: services of earlier runs that were themselves killed before their teardown. */
export function killOrphanedServiceProcesses(): string[] {
  return killRecorded((record) => commandLineOf(record.runPid) === undefined);
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

async function distinctFreePorts(count: number, taken: readonly number[] = []): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port) && !taken.includes(port)) ports.push(port);
  }
  return ports;
}

/** Where test ports are drawn from: below the kernel's ephemeral range, above well-known services. */
const TEST_PORT_MIN = 20_000;
const TEST_PORT_TRIES = 50;

/**
 * A port free right now, for a service other processes must be told about before it starts (the
 * gateway, whose webhook URL the payment-processor simulator needs). Another test process may
 * take it before the service binds it; that fails the start loudly rather than quietly.
 */
export function reserveFreePort(): Promise<number> {
  return freePort();
}

/**
 * A port free right now, drawn from below the kernel's ephemeral range: a port from that range can
 * be handed to one of the many outgoing connections (Kafka, PostgreSQL, gRPC) in the moment before
 * the service binds it, which failed a CI run with EADDRINUSE. Falls back to a kernel-chosen port
 * where that range is too narrow.
 */
async function freePort(): Promise<number> {
  const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  if (Number.isInteger(ephemeralStart) && ephemeralStart > TEST_PORT_MIN) {
    for (let tried = 0; tried < TEST_PORT_TRIES; tried += 1) {
      const port = TEST_PORT_MIN + Math.floor(Math.random() * (ephemeralStart - TEST_PORT_MIN));
      if (await canBind(port)) return port;
    }
  }
  return kernelChosenPort();
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function kernelChosenPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
