import type { Response } from 'express';

/**
 * Runs `task` once the answer has been sent, or at once if the client has already gone away: work
 * the answer must never wait for (a webhook, an automatic payment), yet must not be lost because a
 * browser closed mid-request (its 'close' event has then fired before anyone listened). The task
 * runs on its own for the rest of the process's life, so it must catch and log its own failures.
 */
export function afterResponse(response: Response, task: () => void): void {
  if (response.closed || response.destroyed) {
    setImmediate(task);
    return;
  }
  response.once('close', task);
}
