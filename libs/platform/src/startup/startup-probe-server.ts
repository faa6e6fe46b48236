import { createServer } from 'node:http';
import { SideListener } from '../http/side-listener';
import type { StartupProgress } from './wait-for-dependencies';

/**
 * Answers the health probes while a service is still waiting for its dependencies, before the
 * Nest application exists: live (the process is working on it, so do not restart it) and not
 * ready, naming what it waits for. It gives the port back to the application once start-up is
 * through, so the probes never see a service that is listening but not yet reporting.
 */
export class StartupProbeServer extends SideListener {
  static async listen(port: number, host: string, progress: StartupProgress): Promise<StartupProbeServer> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const live = path.endsWith('/health/live');
      const body = live
        ? { status: 'up' }
        : { status: 'starting', waitingFor: Object.fromEntries(progress.waitingFor) };
      response.writeHead(live ? 200 : 503, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify(body));
    });
    return new StartupProbeServer(await SideListener.bound(server, port, host));
  }
}
