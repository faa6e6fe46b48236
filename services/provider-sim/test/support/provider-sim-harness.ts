import { Client } from 'pg';
import type { RunningService } from '@bvs/platform';
import { TestDatabase, testServiceEnv } from '@bvs/platform/testing';
import { startProviderSim } from '../../src/app';
import { passesLuhn } from '../../src/meters/domain/luhn';
import type { VendView } from '../../src/vending/vend-view';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** The merchant key the simulator's API wants; `request` sends it unless told otherwise. */
export const API_KEY = 'test-api-key-0123456789abcdef';
/**
 * The payment processor's secret key, for a simulator started with `PROCESSOR_SECRET_KEY` (the
 * processor is not registered otherwise); `processor` sends it unless told otherwise.
 */
export const PROCESSOR_SECRET_KEY = 'sk_test_processor_0123456789abcdef';

export const METERS = {
  succeeds: '1111111111111',
  postpaid: '1010101010101',
  declines: '2222222222222',
  pendsThenSucceeds: '3333333333333',
  pendsThenDeclines: '3030303030303',
  withholdsResponse: '4444444444444',
  blocked: '5555555555555',
  unknown: '0000000000000',
} as const;

export interface HttpAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface ErrorBody {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** One simulator in this process, on its own fresh database. */
export class ProviderSim {
  private constructor(
    readonly database: TestDatabase,
    private running: RunningService,
    private readonly env: Record<string, string>,
  ) {}

  static async start(label: string, env: Record<string, string> = {}): Promise<ProviderSim> {
    const database = await TestDatabase.create(label);
    const full = testServiceEnv({ DATABASE_URL: database.url, ADMIN_TOKEN, API_KEY, SIM_SEED: '7', ...env });
    return new ProviderSim(database, await startProviderSim(full), full);
  }

  get url(): string {
    return this.running.url;
  }

  /** Stops the service and starts a new one on the same database: nothing survives but the rows. */
  async restart(): Promise<void> {
    await this.running.stop();
    this.running = await startProviderSim(this.env);
  }

  async stop(): Promise<void> {
    await this.running.stop();
    await this.database.drop();
  }

  /** A call as the provider's client makes it, with the API key, unless `init` brings its own authorization. */
  request<T = unknown>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<HttpAnswer<T>> {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${API_KEY}`);
    return call<T>(this.url, method, path, body, { ...init, headers });
  }

  vend(body: { requestId: string; providerCode?: string; meterNumber: string; amount: number }, init: RequestInit = {}): Promise<HttpAnswer<VendView>> {
    return this.request<VendView>('POST', '/vend', { providerCode: 'ikeja-electric-prepaid', ...body }, init);
  }

  requery(requestId: string): Promise<HttpAnswer<VendView>> {
    return this.request<VendView>('GET', `/vend/${requestId}`);
  }

  /** A call to the payment processor's merchant API (`/processor/...`), with its secret key unless `init` brings its own authorization. */
  processor<T = unknown>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<HttpAnswer<T>> {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${PROCESSOR_SECRET_KEY}`);
    return call<T>(this.url, method, `/processor${path}`, body, { ...init, headers });
  }

  /** A call to the processor's checkout as the customer's browser makes it: no key at all. */
  checkout<T = unknown>(method: string, accessCodeAndPath: string, body?: unknown): Promise<HttpAnswer<T>> {
    return call<T>(this.url, method, `/processor/checkout/${accessCodeAndPath}`, body);
  }

  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>> {
    return this.request<T>(method, `/admin${path}`, body, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  }

  async setBehaviour(changes: Record<string, unknown>): Promise<void> {
    const answer = await this.admin('PUT', '/behaviour', changes);
    if (answer.status !== 200) throw new Error(`PUT /admin/behaviour answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }

  async countVends(requestId: string): Promise<number> {
    return this.count('SELECT count(*) FROM vends WHERE request_id = $1', requestId);
  }

  async countCharges(reference: string): Promise<number> {
    return this.count('SELECT count(*) FROM processor_charges WHERE reference = $1', reference);
  }

  private async count(sql: string, key: string): Promise<number> {
    const client = new Client({ connectionString: this.database.url });
    await client.connect();
    try {
      const result = await client.query<{ count: string }>(sql, [key]);
      return Number(result.rows[0]?.count);
    } finally {
      await client.end();
    }
  }
}

export async function call<T>(base: string, method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<HttpAnswer<T>> {
  const headers = new Headers(init.headers);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(`${base}${path}`, { ...init, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/** An ordinary meter: 11 digits ending in a Luhn check digit, built from any 10-digit stem. */
export function ordinaryMeter(stem: number): string {
  const prefix = String(stem).padStart(10, '0');
  for (let digit = 0; digit <= 9; digit += 1) {
    if (passesLuhn(`${prefix}${digit}`)) return `${prefix}${digit}`;
  }
  throw new Error('unreachable: one check digit always fits');
}

let counter = 0;
export function newRequestId(): string {
  counter += 1;
  return `it-${Date.now()}-${counter}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
