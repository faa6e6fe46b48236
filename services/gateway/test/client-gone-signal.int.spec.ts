import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { clientGoneSignal } from '../src/backends/service-call.decorator';

/**
 * The signal the gateway's backend calls carry, on a real HTTP server and socket: it must abort
 * when the client hangs up before its answer (the calls made for it are then cancelled), and
 * never for a client that got its answer.
 */
describe('the signal that the HTTP client has gone', () => {
  let server: Server;
  let port: number;
  let nextRequest: (handled: { signal: AbortSignal; response: ServerResponse }) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => nextRequest({ signal: clientGoneSignal(request, response), response }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const requestReceived = () => new Promise<{ signal: AbortSignal; response: ServerResponse }>((resolve) => (nextRequest = resolve));

  it('given a request being worked on, when its client closes the connection, then the signal aborts', async () => {
    const received = requestReceived();
    const client = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/bills/pay' });
    client.on('error', () => undefined);
    client.end('{}');
    const { signal, response } = await received;
    expect(signal.aborted).toBe(false);

    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    client.destroy();
    await aborted;
    expect(signal.aborted).toBe(true);
    response.end();
  });

  it('given a request answered in full, when the connection then closes, then the signal never aborts', async () => {
    const received = requestReceived();
    const answered = new Promise<number>((resolve, reject) => {
      const client = httpRequest({ host: '127.0.0.1', port, method: 'GET', path: '/api/wallets/me', agent: false }, (answer) => {
        answer.resume();
        answer.on('end', () => resolve(answer.statusCode ?? 0));
      });
      client.on('error', reject);
      client.end();
    });
    const { signal, response } = await received;
    const closed = new Promise((resolve) => response.once('close', resolve));
    response.end('{}');
    await expect(answered).resolves.toBe(200);
    await closed;
    expect(signal.aborted).toBe(false);
  });
});
