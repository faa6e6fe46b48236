import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { testSigningKeys } from '@bvs/platform/testing';
import { eventsWrittenSoFar, waitForEvent } from './support/events';
import { call } from './support/http';
import { RunningSystem } from './support/system';
import { decodeClaims, decodeHeader, signEs256, signHs256WithKey, unsigned, withHighS } from './support/tokens';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId: string;
  errors?: { field: string; messages: string[] }[];
}

interface Tokens {
  tokenType: string;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

interface Profile {
  id: string;
  email: string;
  createdAt: string;
}

interface Accepted {
  email: string;
  message: string;
}

const PASSWORD = 'orange-Kettle-42!';

describe('users through the gateway, against the real auth service, Kafka and PostgreSQL', () => {
  let system: RunningSystem;
  const base = () => system.gateway.url;
  const newEmail = () => `user-${randomUUID()}@Example.COM`;

  const register = (email: string, password = PASSWORD, headers: Record<string, string> = {}) =>
    call<Accepted & Problem>(base(), '/api/users/register', { body: { email, password }, headers });
  const login = (email: string, password = PASSWORD) => call<Tokens & Problem>(base(), '/api/users/login', { body: { email, password } });
  /** bcrypt verifications auth has run, from its metrics: the work a login costs, counted rather than timed. */
  const bcryptVerifications = async () => {
    const text = await (await fetch(`${system.service('auth').metricsUrl}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith('bvs_auth_password_hashing_operations_total{') && row.includes('operation="verify"'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  /** Register answers no id (ADR 0009): the account's id comes from logging in, then GET /me. */
  const profileOf = async (tokens: Tokens) => (await call<Profile>(base(), '/api/users/me', { token: tokens.accessToken })).body;

  async function signedUpUser() {
    const email = newEmail();
    const registered = await register(email);
    expect(registered.status).toBe(202);
    const loggedIn = await login(email);
    expect(loggedIn.status).toBe(200);
    return { email, profile: await profileOf(loggedIn.body), tokens: loggedIn.body };
  }

  function expectProblem(response: { status: number; contentType: string; body: Problem; headers: Headers }, status: number, code: string) {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body.type).toBe(`urn:bvs:problem:${code}`);
    expect(response.body.status).toBe(status);
    expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  }

  beforeAll(async () => {
    system = await RunningSystem.start({ services: ['auth'] });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  describe('register', () => {
    it('accepts a new address with 202, the normalised address and a message, and no account id; login and /me give the id', async () => {
      const email = `  ${newEmail()} `;
      const response = await register(email);
      expect(response.status).toBe(202);
      expect(response.contentType).toContain('application/json');
      expect(response.body).toEqual({ email: email.trim().toLowerCase(), message: expect.stringContaining('Log in') });
      const profile = await profileOf((await login(email.trim())).body);
      expect(profile.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(profile.email).toBe(email.trim().toLowerCase());
    });

    it('publishes user-registered through the outbox, schema-encoded, correlated with the request', async () => {
      const requestId = `e2e-register-${randomUUID()}`;
      const email = newEmail();
      expect((await register(email, PASSWORD, { 'x-request-id': requestId })).status).toBe(202);
      const profile = await profileOf((await login(email)).body);
      const event = await waitForEvent(EVENT_TOPICS.userRegistered, (candidate) => candidate.metadata.correlationId === requestId);
      expect(event).toEqual({
        metadata: expect.objectContaining({ eventType: 'UserRegistered', producer: 'auth', correlationId: requestId, causationId: null }),
        payload: { userId: profile.id, email: profile.email },
      });
    });

    it('answers a taken address, whatever its case, exactly as a free one: same status, same body keys, same message', async () => {
      const email = newEmail();
      const fresh = await register(email);
      const duplicate = await register(email.toUpperCase(), 'violet-Teapot-97?');
      expect(duplicate.status).toBe(fresh.status);
      expect(duplicate.status).toBe(202);
      expect(Object.keys(duplicate.body).sort()).toEqual(Object.keys(fresh.body).sort());
      expect(Object.keys(fresh.body).sort()).toEqual(['email', 'message']);
      expect(duplicate.body).toEqual(fresh.body);
      expect(duplicate.contentType).toBe(fresh.contentType);
    });

    it('leaves the existing account as it was: its password still works, the new one does not, and no second user-registered event', async () => {
      const email = newEmail();
      const firstRequest = `e2e-register-first-${randomUUID()}`;
      const duplicateRequest = `e2e-register-again-${randomUUID()}`;
      const otherPassword = `Other-${randomUUID()}`;
      expect((await register(email, PASSWORD, { 'x-request-id': firstRequest })).status).toBe(202);
      const owner = await profileOf((await login(email)).body);
      expect((await register(email, otherPassword, { 'x-request-id': duplicateRequest })).status).toBe(202);

      expect((await login(email)).status).toBe(200);
      expectProblem(await login(email, otherPassword), 401, 'AUTH.INVALID_CREDENTIALS');
      expect(await profileOf((await login(email)).body)).toEqual(owner);

      // Auth publishes in commit order: once a later registration's event is out, the topic holds
      // every event the duplicate could have caused.
      const laterRequest = `e2e-register-later-${randomUUID()}`;
      expect((await register(newEmail(), PASSWORD, { 'x-request-id': laterRequest })).status).toBe(202);
      await waitForEvent(EVENT_TOPICS.userRegistered, (candidate) => candidate.metadata.correlationId === laterRequest);
      const events = await eventsWrittenSoFar(EVENT_TOPICS.userRegistered, (candidate) => candidate.payload.email === owner.email);
      expect(events.map((event) => ({ correlationId: event.metadata.correlationId, userId: event.payload.userId }))).toEqual([
        { correlationId: firstRequest, userId: owner.id },
      ]);
    });

    it('answers every one of concurrent registrations of one address alike, and creates the account once', async () => {
      const email = newEmail();
      const results = await Promise.all(Array.from({ length: 5 }, () => register(email)));
      expect(results.map((result) => result.status)).toEqual([202, 202, 202, 202, 202]);
      expect(new Set(results.map((result) => JSON.stringify(result.body))).size).toBe(1);
      expect((await login(email)).status).toBe(200);
    });

    it('enforces the password policy: under 12 characters, equal to the e-mail, a common password, longer than 72 bytes', async () => {
      const email = newEmail();
      expectProblem(await register(email, '7f3k-ruby-o'), 400, 'VALIDATION.FAILED');
      expectProblem(await register(email, email.toLowerCase()), 400, 'AUTH.PASSWORD_POLICY');
      expectProblem(await register(email, 'Qwerty123456'), 400, 'AUTH.PASSWORD_POLICY');
      expectProblem(await register(email, 'é'.repeat(40)), 400, 'AUTH.PASSWORD_POLICY');
      // None of the refusals created the account: this registration does, with its own password.
      expect((await register(email)).status).toBe(202);
      expect((await login(email)).status).toBe(200);
      // A taken address meets the same policy, so a refusal tells nothing about the account either.
      expectProblem(await register(email, 'Qwerty123456'), 400, 'AUTH.PASSWORD_POLICY');
    });

    it('refuses missing fields, extra fields, wrong types and a malformed address, naming each field', async () => {
      const missing = await call<Problem>(base(), '/api/users/register', { body: { email: newEmail() } });
      expectProblem(missing, 400, 'VALIDATION.FAILED');
      expect(missing.body.errors?.map((error) => error.field)).toEqual(['password']);

      const extra = await call<Problem>(base(), '/api/users/register', { body: { email: newEmail(), password: PASSWORD, isAdmin: true } });
      expectProblem(extra, 400, 'VALIDATION.FAILED');
      expect(extra.body.errors?.map((error) => error.field)).toEqual(['isAdmin']);

      const wrongType = await call<Problem>(base(), '/api/users/register', { body: { email: 42, password: PASSWORD } });
      expectProblem(wrongType, 400, 'VALIDATION.FAILED');

      expectProblem(await register('not-an-address'), 400, 'VALIDATION.FAILED');
    });

    it('refuses malformed JSON, a body that is not JSON, one nested too deep, and an oversized body', async () => {
      expectProblem(await call<Problem>(base(), '/api/users/register', { rawBody: '{"email": ' }), 400, 'REQUEST.MALFORMED_JSON');
      const deep = `{"email":${'['.repeat(500)}${']'.repeat(500)},"password":"${PASSWORD}"}`;
      expectProblem(await call<Problem>(base(), '/api/users/register', { rawBody: deep }), 400, 'REQUEST.TOO_DEEP');
      expectProblem(
        await call<Problem>(base(), '/api/users/register', { rawBody: 'email=a', headers: { 'content-type': 'text/plain' } }),
        415,
        'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      );
      const oversized = await call<Problem>(base(), '/api/users/register', { body: { email: newEmail(), password: 'x'.repeat(64 * 1024) } });
      expectProblem(oversized, 413, 'REQUEST.TOO_LARGE');
    });
  });

  describe('login', () => {
    it('returns a short-lived ES256 access token with kid, issuer, audience and session, and an opaque refresh token', async () => {
      const { profile, tokens } = await signedUpUser();
      expect(tokens.tokenType).toBe('Bearer');
      expect(tokens.expiresIn).toBe(300);
      expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(decodeHeader(tokens.accessToken)).toEqual({ alg: 'ES256', kid: system.keys.keyId, typ: 'at+jwt' });
      const claims = decodeClaims(tokens.accessToken);
      expect(claims).toMatchObject({ iss: 'bvs-auth', aud: 'bvs-api', sub: profile.id });
      expect(claims['sid']).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      expect(Number(claims['exp']) - Number(claims['iat'])).toBe(300);
    });

    it('accepts the address in any case', async () => {
      const email = newEmail();
      await register(email);
      expect((await login(email.toUpperCase())).status).toBe(200);
    });

    it('answers a wrong password and an unknown address identically, for the same bcrypt work', async () => {
      const { email } = await signedUpUser();
      const before = await bcryptVerifications();
      const wrongPassword = await login(email, 'not-the-password');
      const afterKnown = await bcryptVerifications();
      const unknownEmail = await login(newEmail(), 'not-the-password');
      const afterUnknown = await bcryptVerifications();
      // A password under today's minimum is still tried, not refused by shape: older accounts may have one.
      const shortPassword = await login(email, 'short');
      for (const response of [wrongPassword, unknownEmail, shortPassword]) expectProblem(response, 401, 'AUTH.INVALID_CREDENTIALS');
      const strip = (problem: Problem) => ({ ...problem, requestId: undefined });
      expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
      // Counted, not timed: an unknown address is compared against a decoy hash, one bcrypt verification like any other.
      expect({ known: afterKnown - before, unknown: afterUnknown - afterKnown }).toEqual({ known: 1, unknown: 1 });
    });
  });

  describe('refresh, reuse and logout', () => {
    it('rotates the refresh token: the new pair works, and GET /me with the new access token answers', async () => {
      const { profile, tokens } = await signedUpUser();
      const refreshed = await call<Tokens>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refreshToken).not.toBe(tokens.refreshToken);
      expect(decodeClaims(refreshed.body.accessToken)['sid']).toBe(decodeClaims(tokens.accessToken)['sid']);
      const me = await call<Profile>(base(), '/api/users/me', { token: refreshed.body.accessToken });
      expect(me.body).toEqual(profile);
    });

    it('revokes the whole session family when a rotated refresh token is presented again', async () => {
      const { tokens } = await signedUpUser();
      const first = await call<Tokens>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } });
      expect(first.status).toBe(200);

      const reuse = await call<Problem>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } });
      expectProblem(reuse, 401, 'AUTH.REFRESH_TOKEN_REUSED');
      // The legitimate successor dies with the family.
      const successor = await call<Problem>(base(), '/api/users/refresh', { body: { refreshToken: first.body.refreshToken } });
      expectProblem(successor, 401, 'AUTH.REFRESH_TOKEN_INVALID');
    });

    it('lets only one of two concurrent uses of a refresh token succeed', async () => {
      const { tokens } = await signedUpUser();
      const results = await Promise.all(
        [1, 2].map(() => call<Tokens & Problem>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } })),
      );
      expect(results.map((result) => result.status).sort()).toEqual([200, 401]);
    });

    it('logout revokes the session: its refresh token stops working, another session stays valid', async () => {
      const { email, tokens } = await signedUpUser();
      const other = (await login(email)).body;
      const logout = await call(base(), '/api/users/logout', { method: 'POST', token: tokens.accessToken });
      expect(logout.status).toBe(204);
      expectProblem(await call<Problem>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } }), 401, 'AUTH.REFRESH_TOKEN_INVALID');
      expect((await call(base(), '/api/users/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(200);
    });

    it('refuses an unknown or malformed refresh token', async () => {
      expectProblem(await call<Problem>(base(), '/api/users/refresh', { body: { refreshToken: 'A'.repeat(43) } }), 401, 'AUTH.REFRESH_TOKEN_INVALID');
      expectProblem(await call<Problem>(base(), '/api/users/refresh', { body: { refreshToken: 'nope' } }), 401, 'AUTH.REFRESH_TOKEN_INVALID');
      expectProblem(await call<Problem>(base(), '/api/users/refresh', { body: {} }), 400, 'VALIDATION.FAILED');
    });
  });

  describe('the JWT guard', () => {
    const now = () => Math.floor(Date.now() / 1000);

    it('answers /me for a valid token and 401 without one', async () => {
      const { profile, tokens } = await signedUpUser();
      expect((await call<Profile>(base(), '/api/users/me', { token: tokens.accessToken })).body).toEqual(profile);
      const anonymous = await call<Problem>(base(), '/api/users/me');
      expectProblem(anonymous, 401, 'AUTH.UNAUTHENTICATED');
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('refuses alg none, another algorithm, a bad signature, another key, a wrong issuer or audience, a wrong kid, and expiry', async () => {
      const { profile, tokens } = await signedUpUser();
      const sid = String(decodeClaims(tokens.accessToken)['sid']);
      const good = { iss: 'bvs-auth', aud: 'bvs-api', sub: profile.id, sid, iat: now(), exp: now() + 300 };
      const header = { kid: system.keys.keyId, typ: 'at+jwt' };
      const key = system.keys.privateKeyPem;
      const [headerPart, claimsPart, signaturePart = ''] = tokens.accessToken.split('.');
      const flipped = `${signaturePart.startsWith('A') ? 'B' : 'A'}${signaturePart.slice(1)}`;

      // The hand-made baseline is accepted, so each refusal below is caused by its one defect.
      expect((await call(base(), '/api/users/me', { token: signEs256(header, good, key) })).status).toBe(200);

      const badTokens: Record<string, string> = {
        'alg none': unsigned(header, good),
        'HS256 keyed with the public key': signHs256WithKey(header, good, system.keys.publicKeyPem),
        'tampered signature': `${headerPart}.${claimsPart}.${flipped}`,
        'tampered claims': `${headerPart}.${Buffer.from(JSON.stringify({ ...decodeClaims(tokens.accessToken), sub: randomUUID() })).toString('base64url')}.${signaturePart}`,
        'signed by another key': signEs256(header, good, testSigningKeys().privateKeyPem),
        'signature re-spelled with a high S': withHighS(signEs256(header, good, key)),
        'wrong issuer': signEs256(header, { ...good, iss: 'someone-else' }, key),
        'wrong audience': signEs256(header, { ...good, aud: 'another-api' }, key),
        'wrong kid': signEs256({ ...header, kid: 'another-key' }, good, key),
        expired: signEs256(header, { ...good, iat: now() - 900, exp: now() - 600 }, key),
        'not a JWT': 'not-a-token',
      };
      for (const [defect, token] of Object.entries(badTokens)) {
        const response = await call<Problem>(base(), '/api/users/me', { token });
        expect({ defect, status: response.status, code: response.body.code }).toEqual({ defect, status: 401, code: 'AUTH.UNAUTHENTICATED' });
      }
    });

    it('protects logout too, and leaves health and docs open', async () => {
      expectProblem(await call<Problem>(base(), '/api/users/logout', { method: 'POST' }), 401, 'AUTH.UNAUTHENTICATED');
      expect((await call(base(), '/api/health/live')).status).toBe(200);
      // Open too: this system runs auth alone, so it answers 503 naming the backends it lacks, not 401.
      const ready = await call<{ components: Record<string, string> }>(base(), '/api/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.components).toEqual({ auth: 'up', wallet: 'down', billing: 'down', redis: 'up' });
      expect((await fetch(`${base()}/api/docs-json`)).status).toBe(200);
    });

    it('answers an unknown route with a 404 problem, not an HTML page', async () => {
      const { tokens } = await signedUpUser();
      expectProblem(await call<Problem>(base(), '/api/no-such-thing', { token: tokens.accessToken }), 404, 'ROUTE.NOT_FOUND');
    });
  });

  describe('the OpenAPI document', () => {
    interface Operation {
      responses?: Record<string, { content?: Record<string, unknown> }>;
      requestBody?: { content?: Record<string, { schema?: unknown }> };
      security?: unknown[];
    }
    type Document = { paths: Record<string, Record<string, Operation>>; components: { securitySchemes?: Record<string, unknown> }; security?: unknown[] };

    it('answers every operation it documents: none falls through to the unknown-route 404', async () => {
      // The converse (every served route is documented) is read from the router itself: services/gateway/test/route-inventory.int.
      const document = (await call<Document>(base(), '/api/docs-json')).body;
      const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })));
      expect(documented.length).toBeGreaterThanOrEqual(15);
      for (const { method, path } of documented) {
        const concrete = path.replace(/\{\w+\}/g, randomUUID());
        const answer = await call<Problem>(base(), concrete, { method, ...(method === 'POST' ? { body: {} } : {}) });
        expect({ operation: `${method} ${path}`, unrouted: answer.body.code === 'ROUTE.NOT_FOUND' }).toEqual({ operation: `${method} ${path}`, unrouted: false });
      }
    });

    it('documents bodies, responses, problem+json errors and bearer auth for the user endpoints', async () => {
      const document = (await call<Document>(base(), '/api/docs-json')).body;
      expect(document.components.securitySchemes).toHaveProperty('bearer');
      const operations = ['/api/users/register', '/api/users/login', '/api/users/refresh', '/api/users/logout', '/api/users/me'].map((path) => {
        const entry = document.paths[path];
        const operation = entry?.['post'] ?? entry?.['get'];
        if (!operation) throw new Error(`${path} is not documented`);
        return { path, operation };
      });
      for (const { path, operation } of operations) {
        const statuses = Object.keys(operation.responses ?? {});
        expect({ path, success: statuses.some((status) => status.startsWith('2')) }).toEqual({ path, success: true });
        for (const status of statuses.filter((code) => Number(code) >= 400)) {
          expect({ path, status, content: Object.keys(operation.responses?.[status]?.content ?? {}) }).toEqual({ path, status, content: ['application/problem+json'] });
        }
      }
      for (const path of ['/api/users/register', '/api/users/login', '/api/users/refresh']) {
        expect(document.paths[path]?.['post']?.requestBody?.content?.['application/json']?.schema).toBeDefined();
      }
      // Register answers 202 for a free and a taken address alike: no 201, no 409 (ADR 0009).
      const registerStatuses = Object.keys(document.paths['/api/users/register']?.['post']?.responses ?? {});
      expect(registerStatuses).toContain('202');
      expect(registerStatuses.filter((status) => ['201', '409'].includes(status))).toEqual([]);
      // An operation's own `security` overrides the document's: the bearer token everywhere, none on the public routes.
      const securityOf = (path: string) => {
        const entry = document.paths[path];
        return (entry?.['post'] ?? entry?.['get'])?.security ?? document.security;
      };
      for (const path of ['/api/users/logout', '/api/users/me']) expect({ path, security: securityOf(path) }).toEqual({ path, security: [{ bearer: [] }] });
      for (const path of ['/api/users/register', '/api/users/login', '/api/users/refresh']) expect({ path, security: securityOf(path) }).toEqual({ path, security: [] });
    });
  });

  describe('the HTTP edge', () => {
    it('sends security headers and no X-Powered-By', async () => {
      const response = await fetch(`${base()}/api/health/live`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toContain('max-age=');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('x-powered-by')).toBeNull();
    });

    it("serves /metrics on each service's management port only: the API port answers 404 for it", async () => {
      for (const service of [system.gateway, system.service('auth')]) {
        const scraped = await fetch(`${service.metricsUrl}/metrics`);
        expect({ service: service.name, status: scraped.status }).toEqual({ service: service.name, status: 200 });
        expect(scraped.headers.get('content-type')).toContain('text/plain');
        expect(await scraped.text()).toContain(`process_cpu_user_seconds_total{service="${service.name}"}`);
        expect({ service: service.name, status: (await fetch(`${service.url}/metrics`)).status }).toEqual({ service: service.name, status: 404 });
        // The management port serves nothing else, not even the probes.
        expect((await fetch(`${service.metricsUrl}/health/live`)).status).toBe(404);
      }
      expect((await fetch(`${base()}/api/metrics`)).status).toBe(404);
    });

    it('rate-limits register and login per client address with 429 and Retry-After', async () => {
      // Its own key prefix: the counters start at zero, whatever the other tests sent from this address.
      const limited = await system.startExtraGateway({ AUTH_RATE_LIMIT: '3', AUTH_RATE_WINDOW_SECONDS: '60', REDIS_KEY_PREFIX: `e2e-limited-${randomUUID()}:` });
      try {
        const attempts = [];
        for (let attempt = 0; attempt < 4; attempt += 1) {
          attempts.push(await call<Problem>(limited.url, '/api/users/login', { body: { email: newEmail(), password: 'wrong-password' } }));
        }
        expect(attempts.map((attempt) => attempt.status)).toEqual([401, 401, 401, 429]);
        const throttled = attempts[3];
        if (!throttled) throw new Error('no fourth attempt');
        expectProblem(throttled, 429, 'RATE_LIMITED');
        expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
        // register has its own budget, and the same limit.
        const registrations = [];
        for (let attempt = 0; attempt < 4; attempt += 1) registrations.push((await call(limited.url, '/api/users/register', { body: { email: newEmail(), password: PASSWORD } })).status);
        expect(registrations).toEqual([202, 202, 202, 429]);
      } finally {
        await limited.stop();
      }
    });
  });

  describe('logs', () => {
    it('writes one JSON line per request with method, route, status, duration, request id and user id', async () => {
      const { profile, tokens } = await signedUpUser();
      const requestId = `e2e-log-${randomUUID()}`;
      await call(base(), '/api/users/me', { token: tokens.accessToken, headers: { 'x-request-id': requestId } });
      const line = await waitForLogLine(() => system.gateway.fullOutput, (entry) => entryRequestId(entry) === requestId);
      expect(line).toMatchObject({
        req: { method: 'GET', url: '/api/users/me' },
        res: { statusCode: 200 },
        route: '/api/users/me',
        userId: profile.id,
        service: 'gateway',
      });
      expect(typeof line['responseTime']).toBe('number');
      const linesOfRequest = parseLines(system.gateway.fullOutput).filter((entry) => entryRequestId(entry) === requestId);
      expect(linesOfRequest).toHaveLength(1);
    });

    it('never writes a password, a token or a full card number, in the gateway or in auth', async () => {
      const email = newEmail();
      const password = `Secret-${randomUUID()}`;
      await register(email, password);
      const tokens = (await login(email, password)).body;
      const refreshed = (await call<Tokens>(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } })).body;
      await call(base(), '/api/users/refresh', { body: { refreshToken: tokens.refreshToken } }); // reuse: logged as a warning
      const card = '4111111111111111';
      const cardRequestId = `e2e-card-${randomUUID()}`;
      await call(base(), `/api/users/${card}?card=${card}`, { token: refreshed.accessToken, headers: { 'x-request-id': cardRequestId } });
      const lastRequestId = `e2e-last-${randomUUID()}`;
      await call(base(), '/api/users/login', { body: { email, password: `${password}-wrong` }, headers: { 'x-request-id': lastRequestId } });

      const cardLine = await waitForLogLine(() => system.gateway.fullOutput, (entry) => entryRequestId(entry) === cardRequestId);
      expect(cardLine['req']).toMatchObject({ url: '/api/users/411111******1111' });
      // Lines are written in batches: the last request's line, and auth's warning, mean everything before them is in.
      await waitForLogLine(() => system.gateway.fullOutput, (entry) => entryRequestId(entry) === lastRequestId);
      await system.service('auth').lineContaining('Rotated refresh token presented again');
      const output = system.gateway.fullOutput + system.service('auth').fullOutput;
      for (const secret of [password, tokens.accessToken, tokens.refreshToken, refreshed.accessToken, refreshed.refreshToken, card]) {
        expect(output.includes(secret)).toBe(false);
      }
    });
  });

  describe('registration logs', () => {
    it('logs a registration of a taken address at info, with a hash of the address and never the address', async () => {
      const email = newEmail();
      const requestId = `e2e-register-log-${randomUUID()}`;
      await register(email);
      expect((await register(email, PASSWORD, { 'x-request-id': requestId })).status).toBe(202);
      const line = await waitForLogLine(
        () => system.service('auth').fullOutput,
        (entry) => entry['msg'] === 'Registration for an address that already has an account: nothing changed' && JSON.stringify(entry).includes(requestId),
      );
      expect(line['level']).toBe(30);
      expect(line['emailHash']).toMatch(/^[0-9a-f]{16}$/);
      expect(system.service('auth').fullOutput.toLowerCase()).not.toContain(email.toLowerCase());
    });
  });

  describe('when auth stops answering', () => {
    it('answers 504 SERVICE.TIMEOUT with Retry-After once the call deadline passes, instead of hanging', async () => {
      const { tokens } = await signedUpUser();
      const impatient = await system.startExtraGateway({ REQUEST_TIMEOUT_MS: '1500' });
      try {
        expect((await call(impatient.url, '/api/users/me', { token: tokens.accessToken })).status).toBe(200);
        // Stopped, not killed: its connection stays open and nothing answers on it.
        system.service('auth').pause();
        const response = await call<Problem>(impatient.url, '/api/users/me', { token: tokens.accessToken });
        expectProblem(response, 504, 'SERVICE.TIMEOUT');
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        system.service('auth').resume();
        await impatient.stop();
      }
    });
  });
});

type LogEntry = Record<string, unknown>;

function parseLines(output: string): LogEntry[] {
  return output.split('\n').flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null ? [parsed as LogEntry] : [];
    } catch {
      return [];
    }
  });
}

function entryRequestId(entry: LogEntry): unknown {
  return (entry['req'] as { id?: unknown } | undefined)?.id;
}

/** The request line is written when the response finishes, a moment after the client has it. */
async function waitForLogLine(output: () => string, matches: (entry: LogEntry) => boolean): Promise<LogEntry> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found = parseLines(output()).find(matches);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no matching log line');
}
