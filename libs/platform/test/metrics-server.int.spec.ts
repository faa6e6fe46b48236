import { Counter, Gauge, Registry } from 'prom-client';
import { MetricsServer } from '../src';

/** The management listener on a loopback port: what the scraper gets, and what anything else gets. */
describe('MetricsServer', () => {
  let registry: Registry;
  let server: MetricsServer;
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  beforeEach(async () => {
    registry = new Registry();
    new Counter({ name: 'test_things_total', help: 'things', registers: [registry] }).inc(3);
    server = await MetricsServer.listen(registry, 0, '127.0.0.1');
  });

  afterEach(async () => {
    await server.close();
  });

  it('answers GET /metrics in the Prometheus text format', async () => {
    const response = await fetch(url('/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(await response.text()).toContain('test_things_total 3');
    expect((await fetch(url('/metrics?debug=1'))).status).toBe(200);
  });

  it('serves nothing else: other paths are 404, other methods 405', async () => {
    for (const path of ['/', '/health/live', '/api/metrics', '/metrics/', '/metrics.json']) {
      expect({ path, status: (await fetch(url(path))).status }).toEqual({ path, status: 404 });
    }
    const post = await fetch(url('/metrics'), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('fails one scrape with 500 when a collector throws, and answers the next', async () => {
    let broken = true;
    new Gauge({
      name: 'test_flaky',
      help: 'throws once',
      registers: [registry],
      collect() {
        if (broken) throw new Error('collector broke');
        this.set(1);
      },
    });
    const failed = await fetch(url('/metrics'));
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('collector broke');
    broken = false;
    expect(await (await fetch(url('/metrics'))).text()).toContain('test_flaky 1');
  });

  it('refuses a port that is taken, so a start-up with it fails', async () => {
    await expect(MetricsServer.listen(registry, server.port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
  });
});
