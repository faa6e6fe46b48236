import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { ValueProvider } from '@nestjs/common';
import { pinoHttp, type Options } from 'pino-http';
import type { DestinationStream } from 'pino';
import { loggingModule } from '../src';

type Line = Record<string, unknown> & { msg: string; req: { id: string; method: string; url: string } };

/** The request logger exactly as loggingModule configures it, writing into `lines`. */
function accessLogger(lines: Line[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const module = loggingModule({ service: 'test', level: 'info', destination: sink });
  const params = (module.providers as ValueProvider[]).map((provider) => provider.useValue as { pinoHttp?: [Options, DestinationStream] }).find((value) => value?.pinoHttp);
  if (!params?.pinoHttp) throw new Error('loggingModule no longer configures pino-http');
  return pinoHttp(...params.pinoHttp);
}

/** A request the way express hands it over once a route matched and the token guard ran. */
function requestTo(url: string, user?: { userId: string }) {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.url = url;
  req.headers = { authorization: 'Bearer secret-access-token', 'x-request-id': 'checkout-42' };
  const res = new ServerResponse(req);
  const routed = () => Object.assign(req, { user, route: { path: '/pay' }, baseUrl: '/api/bills' });
  return { req, res, routed };
}

describe('the access log', () => {
  const userId = '8b0f0a4e-3c4d-4a1b-9a55-0f6c2a1e2d33';

  it('writes one line per request with its id, the route, the user and the status, and no query or token', () => {
    const lines: Line[] = [];
    const { req, res, routed } = requestTo('/api/bills/pay?token=leaked', { userId });

    accessLogger(lines)(req, res, () => undefined);
    routed();
    res.statusCode = 202;
    res.end();
    res.emit('finish');

    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ msg: 'request completed', service: 'test', userId, route: '/api/bills/pay', res: { statusCode: 202 } });
    expect(line?.req).toEqual({ id: 'checkout-42', method: 'POST', url: '/api/bills/pay' });
    expect(JSON.stringify(line)).not.toContain('secret-access-token');
    expect(JSON.stringify(line)).not.toContain('leaked');
  });

  it('ties lines written during the request to it by id, before the guard has named the user', () => {
    const lines: Line[] = [];
    const { req, res, routed } = requestTo('/api/bills/pay', { userId });

    accessLogger(lines)(req, res, () => undefined);
    (req as IncomingMessage & { log: { info(message: string): void } }).log.info('working on it');
    routed();
    res.statusCode = 500;
    res.end();
    res.emit('finish');

    const [during, access] = lines;
    expect(during).toMatchObject({ msg: 'working on it', req: { id: 'checkout-42' } });
    expect(during).not.toHaveProperty('userId');
    // A failed request takes pino-http's error path, and its line still says who and where.
    expect(access).toMatchObject({ msg: 'request errored', userId, route: '/api/bills/pay', res: { statusCode: 500 } });
  });

  it('names no user on a request nobody signed', () => {
    const lines: Line[] = [];
    const { req, res, routed } = requestTo('/api/users/login');

    accessLogger(lines)(req, res, () => undefined);
    routed();
    res.statusCode = 200;
    res.end();
    res.emit('finish');

    expect(lines[0]).not.toHaveProperty('userId');
  });
});
