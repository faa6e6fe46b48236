/*
 * Kept apart from start-tracing.ts so that runMain can flush the spans without loading the SDK
 * into every process that imports the platform (tools, tests), where it would cost 200 ms.
 */

/** Longest wait for the last spans to leave on shutdown; past it they are given up. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

let shutdown: (() => Promise<void>) | undefined;

/** Called by startTracing with the SDK's shutdown. */
export function whenTracingStops(stop: () => Promise<void>): void {
  shutdown = stop;
}

/** Sends the spans still buffered, within SHUTDOWN_TIMEOUT_MS. Never throws: it runs on the way out. */
export async function stopTracing(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  if (stop === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
  });
  await Promise.race([stop().catch(() => undefined), timeout]);
  clearTimeout(timer);
}
