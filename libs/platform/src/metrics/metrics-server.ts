import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { SideListener } from '../http/side-listener';
import type { Registry } from 'prom-client';

/**
 * Limits of the management listener. Its only caller is a scraper inside the cluster; anything
 * slower or bigger than this is not one.
 */
const REQUEST_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 5_000;
const MAX_HEADER_BYTES = 8 * 1024;

/**
 * The management listener: `GET /metrics` in the Prometheus text format on a port of its own
 * (METRICS_PORT), apart from the port that serves the API, so that publishing or routing the API
 * port can never publish the metrics too. It answers nothing else (404), has no Nest pipeline
 * (no guards, no body parsing, no request log line per scrape) and reads no request body.
 */
export class MetricsServer extends SideListener {
  static async listen(registry: Registry, port: number, host: string): Promise<MetricsServer> {
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS }, (request, response) => {
      void answer(registry, request, response);
    });
    return new MetricsServer(await SideListener.bound(server, port, host));
  }
}

async function answer(registry: Registry, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/metrics') return reply(response, 404, 'text/plain; charset=utf-8', 'Not found: this port serves GET /metrics only.\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return reply(response, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n');
  }
  try {
    const body = await registry.metrics();
    reply(response, 200, registry.contentType, request.method === 'HEAD' ? '' : body);
  } catch (error) {
    // A collector that throws (a database gauge guards itself, others may not) fails this scrape
    // only; Prometheus records the target as down for it and tries again at the next interval.
    reply(response, 500, 'text/plain; charset=utf-8', `Metrics could not be collected: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}
