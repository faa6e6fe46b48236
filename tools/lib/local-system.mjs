// The system as deploy/local/up.sh runs it on this machine: where each service listens, which
// instances are running, and an API client that spreads calls over every gateway. Shared by the
// measuring tools (tools/failover, tools/bench).
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const RUN_DIR = join(ROOT, '.infra/run');
/** up.sh runs at most 9 instances of a service (REPLICAS=1..9). */
const MAX_INSTANCES = 9;

/** Each service's HTTP port and database ('-' for none), from deploy/local/services.env. */
export const SERVICES = Object.fromEntries(
  readFileSync(join(ROOT, 'deploy/local/services.env'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(/\s+/))
    .map(([name, http, , database]) => [name, { http: Number(http), database }]),
);

/** The running instances of a service, named as up.sh names their pid files: wallet, wallet-2, ... */
export function instancesOf(name) {
  return [name, ...Array.from({ length: MAX_INSTANCES - 1 }, (_, index) => `${name}-${index + 2}`)].filter((instance) =>
    existsSync(join(RUN_DIR, `${instance}.pid`)),
  );
}

/** The pid up.sh recorded for an instance (or infra.sh for kafka and schema-registry); empty when there is none. */
export function pidOf(instance) {
  try {
    return [Number(readFileSync(join(RUN_DIR, `${instance}.pid`), 'utf8'))];
  } catch {
    return [];
  }
}

/** Instance k of a service listens on its port + 100 * (k - 1) (deploy/local/services.env). */
export function httpPortOf(name, k = 0) {
  return SERVICES[name].http + 100 * k;
}

/** How long the API client keeps an unused connection: under the gateway's 5 s keep-alive timeout. */
const IDLE_CONNECTION_MS = 4_000;

/**
 * A client of the public API that sends each call to the next running gateway, as a layer-4
 * balancer in front of them would. Like such a balancer, it sends a call whose connection was
 * refused to the next gateway (it never reached a server); a call a gateway had accepted is never
 * sent again. Answers { status, body, ms }; status is the HTTP status, 'timeout', 'network <code>',
 * or 'refused by every gateway'.
 */
export function apiClient({ timeoutMs, startHint }) {
  const gateways = instancesOf('gateway').map((_, k) => `http://127.0.0.1:${httpPortOf('gateway', k)}/api`);
  if (gateways.length === 0) throw new Error(`no running gateway: start the system with ${startHint}`);
  // node:http rather than fetch: the load generator shares the cores it measures, and fetch costs
  // it several times the CPU per call. Connections are kept and reused, as a real client's are;
  // an idle one is closed before the gateway's own keep-alive timeout (Node's 5 s) would close it,
  // so a call never races the server's close of the connection it picked.
  const agent = new Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  let next = 0;
  async function request(method, path, body, token) {
    const started = performance.now();
    const first = next++;
    for (let tried = 0; tried < gateways.length; tried += 1) {
      try {
        const { status, text } = await send(agent, method, `${gateways[(first + tried) % gateways.length]}${path}`, body, token, timeoutMs);
        return { status, body: text ? JSON.parse(text) : {}, ms: performance.now() - started };
      } catch (error) {
        if (error?.code === 'ECONNREFUSED') continue;
        const status = error?.code === 'TIMEOUT' ? 'timeout' : `network ${error?.code ?? error?.message}`;
        return { status, body: {}, ms: performance.now() - started };
      }
    }
    return { status: 'refused by every gateway', body: {}, ms: performance.now() - started };
  }
  return { gateways, request };
}

/** One HTTP call; rejects with code 'TIMEOUT' when the whole exchange takes longer than timeoutMs. */
function send(agent, method, url, body, token, timeoutMs) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { method, headers, agent }, (response) => {
      const chunks = [];
      response.setEncoding('utf8');
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode, text: chunks.join('') });
      });
      response.on('error', fail);
    });
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      error.code = 'TIMEOUT';
      call.destroy(error);
    }, timeoutMs);
    function fail(error) {
      clearTimeout(timer);
      reject(error);
    }
    call.on('error', fail);
    call.end(payload);
  });
}

/** Longest wait for one funding to be credited: the processor's webhook normally lands within a second. */
const FUNDING_CREDIT_TIMEOUT_MS = 60_000;
const FUNDING_POLL_MS = 100;

/**
 * Funds the token's wallet as a client must: the fund request (202, a PENDING funding the local
 * processor's sandbox card pays at once), then the funding read back until it is COMPLETED. A
 * sandbox deployment's 201 is credited already. Throws if the funding is refused, FAILED, or not
 * credited within FUNDING_CREDIT_TIMEOUT_MS.
 */
export async function fundAndAwaitCredit(request, token, amount, reference) {
  const started = await request('POST', '/wallets/fund', { amount, reference }, token);
  if (started.status === 201) return;
  if (started.status !== 202) throw new Error(`funding ${reference} failed with ${started.status}`);
  const deadline = Date.now() + FUNDING_CREDIT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const read = await request('GET', `/transactions/${started.body.id}`, undefined, token);
    if (read.body.status === 'COMPLETED') return;
    if (read.body.status === 'FAILED') throw new Error(`funding ${reference} FAILED: ${read.body.failureReason}`);
    await new Promise((resolve) => setTimeout(resolve, FUNDING_POLL_MS));
  }
  throw new Error(`funding ${reference} was not credited within ${FUNDING_CREDIT_TIMEOUT_MS} ms`);
}
