import { randomUUID } from 'node:crypto';
import { EVENT_CONTRACTS, EVENT_TOPICS, valueSubjectOf } from '@bvs/contracts';
import { EventSchemaRegistry, SchemaRegistryRequestError } from '../src/schema-registry';
import { localInfrastructureIsControllable, readInfraAddresses, schemaRegistryDeployAuth } from '../src/testing';

/*
 * Only the deploy step writes the registry (ADR 0007): a service has no registry credentials, so
 * whatever a service's process (or anyone else who reaches the registry) sends is anonymous. It may
 * read and look schemas up, and every write is refused by the registry itself. Needs the registry
 * deploy/local/infra.sh runs (a container registry started by testcontainers asks for no password).
 */
const withLocalRegistry = localInfrastructureIsControllable() ? describe : describe.skip;

withLocalRegistry('the schema registry lets anyone read and only the deploy step write', () => {
  const url = () => readInfraAddresses().SCHEMA_REGISTRY_URL;
  const throwawaySubject = `registry-access-it-${randomUUID().slice(0, 8)}-value`;
  const schema = EVENT_CONTRACTS[EVENT_TOPICS.walletFunded].schema;

  const asDeployStep = () => {
    const auth = schemaRegistryDeployAuth();
    if (!auth) throw new Error('SCHEMA_REGISTRY_CREDENTIALS_DIR is not set (infra.sh env sets it)');
    return auth;
  };
  const request = (method: string, path: string, body?: unknown, authorization?: string) =>
    fetch(`${url()}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...(authorization ? { authorization } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
  const basic = ({ username, password }: { username: string; password: string }) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  afterAll(async () => {
    const deploy = basic(asDeployStep());
    await request('DELETE', `/subjects/${throwawaySubject}`, undefined, deploy);
    await request('DELETE', `/subjects/${throwawaySubject}?permanent=true`, undefined, deploy);
  });

  it('answers an anonymous lookup of a contract schema (what a service does at start-up)', async () => {
    const anonymous = new EventSchemaRegistry(url());
    const ids = await anonymous.resolveAll();
    expect(ids.get(EVENT_TOPICS.walletFunded)).toEqual(expect.any(Number));
  });

  it('refuses an anonymous registration, and one with a wrong password', async () => {
    const anonymous = new EventSchemaRegistry(url(), { registers: true }).registerSchema(throwawaySubject, schema);
    await expect(anonymous).rejects.toBeInstanceOf(SchemaRegistryRequestError);
    await expect(anonymous).rejects.toMatchObject({ status: 401 });
    const impostor = new EventSchemaRegistry(url(), { registers: true, auth: { username: asDeployStep().username, password: 'not-the-password' } }).registerSchema(throwawaySubject, schema);
    await expect(impostor).rejects.toBeInstanceOf(SchemaRegistryRequestError);
    await expect(impostor).rejects.toMatchObject({ status: 401 });
    expect((await request('GET', `/subjects/${throwawaySubject}/versions`)).status).toBe(404);
  });

  it('refuses anonymous changes to compatibility and deletions of a contract subject', async () => {
    const subject = valueSubjectOf(EVENT_TOPICS.paymentFailed);
    expect((await request('PUT', `/config/${subject}`, { compatibility: 'NONE' })).status).toBe(401);
    expect((await request('PUT', '/config', { compatibility: 'NONE' })).status).toBe(401);
    expect((await request('DELETE', `/subjects/${subject}`)).status).toBe(401);
    const config = (await (await request('GET', `/config/${subject}`)).json()) as { compatibilityLevel?: string };
    expect(config.compatibilityLevel).toBe('BACKWARD_TRANSITIVE');
  });

  it('lets the deploy step register (the control for the refusals above)', async () => {
    const deploy = new EventSchemaRegistry(url(), { registers: true, auth: asDeployStep() });
    const id = await deploy.registerSchema(throwawaySubject, schema);
    expect(id).toEqual(expect.any(Number));
    expect((await request('GET', `/subjects/${throwawaySubject}/versions`)).status).toBe(200);
  });
});
