import type { Server } from 'node:http';

/**
 * A plain node:http server a service runs beside its Nest application (the start-up probes, the
 * metrics port): bound before it is handed out, its real port readable, and closed at once,
 * keep-alive connections included, so that a stop never waits on an idle scraper.
 */
export abstract class SideListener {
  protected constructor(private readonly server: Server) {}

  /** `server`, once it listens on `port` (0: any free port) at `host`; rejects if it cannot bind. */
  protected static async bound(server: Server, port: number, host: string): Promise<Server> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  /** The port actually bound (differs from the one asked for when that was 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
