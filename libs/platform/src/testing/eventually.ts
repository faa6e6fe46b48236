const POLL_INTERVAL_MS = 200;

/**
 * Polls `probe` until it returns something other than `undefined`, and returns that: the way a
 * test waits for a condition instead of sleeping for a guessed time. Throws, naming `what`, once
 * `timeoutMs` has passed.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
