import { ConfigError } from '../config';
import { stopTracing } from '../tracing/tracing-shutdown';
import type { RunningService } from './start-service';

/** Kubernetes waits 30 s after SIGTERM before SIGKILL; finish well inside that. */
const SHUTDOWN_DEADLINE_MS = 25_000;

/**
 * The body of every service's main.ts. A configuration error is reported plainly (naming the
 * variables) and exits 1. SIGTERM or SIGINT closes the service gracefully (in-flight requests and
 * messages finish, connections close), sends the spans still buffered, and exits 0; a shutdown
 * that overruns its deadline exits 1.
 */
export function runMain(start: () => Promise<RunningService>): void {
  start().then(stopOnSignal, (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}

function stopOnSignal(service: RunningService): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal} received: shutting down\n`);
    setTimeout(() => {
      process.stderr.write('Shutdown overran its deadline\n');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    service
      .stop()
      .then(stopTracing)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`Shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
