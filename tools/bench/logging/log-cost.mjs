// What a log line costs a service, in CPU, measured apart from everything else:
//
//   node tools/bench/logging/log-cost.mjs [--requests 50000] [--seconds 8]
//
// 1. The access log: requests driven through the pino-http middleware exactly as loggingModule
//    (libs/platform, built into dist/) configures it, each writing one line during the request and
//    its access line at the end, into a stream that keeps nothing. Prints CPU µs per request.
// 2. The destination: lines written to a file at a service's pace (two per millisecond, in timer
//    ticks), once with a write per line as it comes (minLength 0) and once batched as
//    loggingModule batches them. Prints CPU µs per line and write system calls per line.
//
// Run `npx nx run-many -t build` first. Nothing else should run: the figures are CPU time of this
// process, which a busy machine inflates.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(join(ROOT, 'package.json'));
const { pinoHttp } = require('pino-http');
const pino = require('pino');
const { loggingModule, LOG_WRITE_BATCH_BYTES, LOG_FLUSH_INTERVAL_MS } = require(join(ROOT, 'dist/libs/platform/src/logging/logging.module.js'));

const { values } = parseArgs({ options: { requests: { type: 'string', default: '50000' }, seconds: { type: 'string', default: '8' } } });
const requests = Number(values.requests);
const seconds = Number(values.seconds);
/** What loggingModule's destination batches by. */
const BATCHED = { minLength: LOG_WRITE_BATCH_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS };
const WARM_UP_REQUESTS = 5_000;
const USER_ID = '8b0f0a4e-3c4d-4a1b-9a55-0f6c2a1e2d33';

function accessLogCost() {
  let lines = 0;
  const sink = new Writable({ write(_chunk, _encoding, done) { lines += 1; done(); } });
  const module = loggingModule({ service: 'bench', level: 'info', destination: sink });
  const params = module.providers.map((provider) => provider.useValue).find((value) => value?.pinoHttp).pinoHttp;
  const middleware = pinoHttp(...params);
  const oneRequest = () => {
    const req = new IncomingMessage(new Socket());
    req.method = 'POST';
    req.url = '/api/bills/pay';
    req.headers = { authorization: 'Bearer not-a-real-token', 'content-type': 'application/json' };
    const res = new ServerResponse(req);
    middleware(req, res, () => undefined);
    req.log.info({ reference: 'bench' }, 'a line during the request');
    Object.assign(req, { user: { userId: USER_ID }, route: { path: '/pay' }, baseUrl: '/api/bills' });
    res.statusCode = 202;
    res.end();
    res.emit('finish');
  };
  for (let i = 0; i < WARM_UP_REQUESTS; i += 1) oneRequest();
  lines = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i += 1) oneRequest();
  const used = process.cpuUsage(before);
  return { requests, linesPerRequest: lines / requests, cpuMicrosPerRequest: round((used.user + used.system) / requests) };
}

async function destinationCost(options) {
  const dir = mkdtempSync(join(tmpdir(), 'log-cost-'));
  const destination = pino.destination({ dest: join(dir, 'out.log'), sync: false, maxLength: 16 * 1024 * 1024, ...options });
  const logger = pino({ base: { service: 'bench' } }, destination);
  const line = { req: { id: '8857789a-3b0d-4bd7-845d-02e1f5abfa1c', method: 'POST', url: '/api/bills/pay' }, res: { statusCode: 202 }, responseTime: 3, userId: USER_ID, route: '/api/bills/pay' };
  const writesBefore = writeSyscalls();
  const before = process.cpuUsage();
  let written = 0;
  const endAt = Date.now() + seconds * 1000;
  await new Promise((resolve) => {
    const tick = () => {
      logger.info(line, 'request completed');
      logger.info(line, 'request completed');
      written += 2;
      if (Date.now() < endAt) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const used = process.cpuUsage(before);
  const writes = writeSyscalls() - writesBefore;
  destination.flushSync();
  destination.end();
  rmSync(dir, { recursive: true, force: true });
  return { ...options, lines: written, cpuMicrosPerLine: round((used.user + used.system) / written), writeSyscallsPerLine: round(writes / written) };
}

function writeSyscalls() {
  return Number(/syscw:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
}

function round(value) {
  return Number(value.toFixed(2));
}

const report = {
  date: new Date().toISOString(),
  accessLog: accessLogCost(),
  destination: { lineByLine: await destinationCost({ minLength: 0 }), batched: await destinationCost(BATCHED) },
};
console.log(JSON.stringify(report, null, 2));
