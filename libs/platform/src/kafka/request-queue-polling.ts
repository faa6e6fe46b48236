import type { EventEmitter } from 'node:events';

/** The parts of kafkajs's per-connection request queue (src/network/requestQueue, not exported) that the fix touches. */
interface RequestQueueInternals extends EventEmitter {
  pending: unknown[];
  /** End of a broker-asked throttle, ms since the epoch; -1 when none ever ran. */
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

interface RequestQueueClass {
  prototype: RequestQueueInternals;
}

/** How soon a queue looks again at requests that wait for an in-flight slot with no throttle running: kafkajs's own interval. */
export const PENDING_REQUESTS_RECHECK_MS = 10;

const patched = Symbol.for('bvs.kafkajs.requestQueue.idlePollingStopped');

/**
 * kafkajs 2.2.4 (the last release; the project takes no fixes) re-arms a timer after every check
 * of a connection's request queue, including when nothing waits: `throttledUntil - Date.now()` is
 * then negative, Node turns it into 1 ms, and the check runs again, for good (tulios/kafkajs#1556,
 * #1704, #1751; the fixes #1667 and #1768 were never merged). Every broker connection that has had
 * an answer spins like this, under load as well as at rest. On the reference machine each idle
 * service that talks to Kafka woke about 1,700 times a second and spent 3-5% of a core doing it;
 * with this fix, about 250 times and 1-1.5% (docs/benchmarks.md, 2026-12-07, late evening).
 *
 * This replaces the queue's scheduling with the rule it means to follow: a check is armed only while
 * requests wait, for the end of the broker's throttle if one runs, otherwise after
 * PENDING_REQUESTS_RECHECK_MS. Nothing else needs a timer: a request that cannot go out at once is
 * queued by `push`, which schedules a check, and every answer checks the queue on its own. The
 * patch is on the class, once per process, so every client (producers, consumers, admins) gets it.
 */
export function stopIdleRequestQueuePolling(): void {
  // Not part of kafkajs's public API or typings: its own file, in the one copy the workspace installs.
  const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;
  const queue = RequestQueue.prototype as RequestQueueInternals & { [patched]?: true };
  if (queue[patched]) return;
  queue.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottledMs = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottledMs > 0 ? untilUnthrottledMs : PENDING_REQUESTS_RECHECK_MS,
    );
  };
  queue[patched] = true;
}
