// What the services logged about a request answered with a server error the client cannot retry
// (500): the gateway's line for the request id in the problem it answered, then every line of
// every service that carries the same trace id. A finding in CI is then explained in CI's own
// output, after the run's logs are gone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/local-system.mjs';

const LOG_DIR = join(ROOT, '.infra/logs');
/** Requests explained per run, and characters kept of each log line: enough for an error's stack. */
const MAX_REQUESTS = 5;
const MAX_LINE_CHARS = 2_000;

/** Parsed JSON log lines of the services' logs, written at or after `since`. */
function serviceLogLines(since) {
  const lines = [];
  for (const file of readdirSync(LOG_DIR).filter((name) => name.endsWith('.log'))) {
    for (const text of readFileSync(join(LOG_DIR, file), 'utf8').split('\n')) {
      if (!text.startsWith('{')) continue;
      try {
        const line = JSON.parse(text);
        if (typeof line.time === 'number' && line.time >= since.getTime()) lines.push({ file, text, line });
      } catch {
        // A line cut by a kill -9 is not JSON; it has nothing to add.
      }
    }
  }
  return lines.sort((a, b) => a.line.time - b.line.time);
}

/** Printable explanations, one block per request id (at most MAX_REQUESTS). */
export function explainServerErrors(requestIds, since) {
  const wanted = [...new Set(requestIds.filter((id) => typeof id === 'string' && id !== ''))].slice(0, MAX_REQUESTS);
  if (wanted.length === 0) return [];
  const lines = serviceLogLines(since);
  return wanted.map((requestId) => {
    const traceIds = new Set(lines.filter(({ line }) => line.req?.id === requestId && typeof line.traceId === 'string').map(({ line }) => line.traceId));
    const related = lines.filter(({ line }) => line.req?.id === requestId || traceIds.has(line.traceId));
    const body = related.length === 0 ? ['  (no log line names this request)'] : related.map(({ file, text }) => `  ${file}: ${text.slice(0, MAX_LINE_CHARS)}`);
    return [`request ${requestId}:`, ...body].join('\n');
  });
}
