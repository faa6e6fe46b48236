import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedWebhook {
  /** The body exactly as it arrived, before any parsing: what a signature is computed over. */
  readonly rawBody: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  readonly path: string;
  /** The status this receiver answered with. */
  readonly answeredStatus: number;
  /** `data.reference` of the JSON body, or null when the body is not such JSON. */
  readonly reference: string | null;
}

/**
 * A merchant's webhook endpoint for tests: a real HTTP server on 127.0.0.1 (any free port) that
 * keeps every request it receives, raw. It answers 200 unless told to fail a reference's first
 * deliveries, so a test can watch the sender retry.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly failuresLeft = new Map<string, { count: number; status: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private address = '';

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const reference = referenceOf(rawBody);
        const status = this.answerFor(reference);
        this.received.push({ rawBody, headers: request.headers, method: request.method ?? '', path: request.url ?? '', answeredStatus: status, reference });
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status < 300 }));
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.server.address() as AddressInfo;
    receiver.address = `http://127.0.0.1:${port}/webhooks/paystack`;
    return receiver;
  }

  /** Where the simulator must send its webhooks (PROCESSOR_WEBHOOK_URL). */
  get url(): string {
    return this.address;
  }

  /** The next `count` deliveries of this reference are answered with `status` (500 by default). */
  failFirst(reference: string, count: number, status = 500): void {
    this.failuresLeft.set(reference, { count, status });
  }

  deliveriesOf(reference: string): ReceivedWebhook[] {
    return this.received.filter((webhook) => webhook.reference === reference);
  }

  async stop(): Promise<void> {
    // Keep-alive connections of the sender would otherwise hold close() open.
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private answerFor(reference: string | null): number {
    const failures = reference === null ? undefined : this.failuresLeft.get(reference);
    if (!failures || failures.count === 0) return 200;
    failures.count -= 1;
    return failures.status;
  }
}

function referenceOf(rawBody: Buffer): string | null {
  try {
    const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('data' in parsed)) return null;
    const data: unknown = parsed.data;
    if (typeof data !== 'object' || data === null || !('reference' in data)) return null;
    return typeof data.reference === 'string' ? data.reference : null;
  } catch {
    return null;
  }
}
