// Checks that the objects of one rendered overlay fit together, which no schema can see: a
// selector that matches no pod, a Secret or ConfigMap nobody creates, a policy that leaves a pod
// open. Each of these applies cleanly and fails later, at run time, in the cluster.

/** Pod specs inside the built-in workload kinds. */
const POD_TEMPLATES = {
  Deployment: (object) => object.spec?.template,
  StatefulSet: (object) => object.spec?.template,
  DaemonSet: (object) => object.spec?.template,
  ReplicaSet: (object) => object.spec?.template,
  Job: (object) => object.spec?.template,
  CronJob: (object) => object.spec?.jobTemplate?.spec?.template,
};

/**
 * The pods an operator makes from a custom resource, with the labels it gives them (Strimzi 0.47
 * Labels.java, CloudNativePG 1.28 pkg/utils/labels_annotations.go, Gateway API GEP-1762 for
 * implementations that run the Gateway's proxy in its namespace). NetworkPolicies select these
 * pods too, so a renamed cluster must not leave a policy selecting nothing.
 */
const OPERATOR_PODS = {
  'kafka.strimzi.io/KafkaNodePool': (pool) => {
    const cluster = pool.metadata?.labels?.['strimzi.io/cluster'];
    return [
      {
        ...pool.metadata?.labels,
        'strimzi.io/cluster': cluster,
        'strimzi.io/kind': 'Kafka',
        'strimzi.io/name': `${cluster}-kafka`,
        'strimzi.io/pool-name': pool.metadata?.name,
        'strimzi.io/component-type': 'kafka',
        'app.kubernetes.io/name': 'kafka',
        'app.kubernetes.io/instance': cluster,
        'app.kubernetes.io/part-of': cluster,
      },
    ];
  },
  'kafka.strimzi.io/Kafka': (kafka) =>
    kafka.spec?.entityOperator
      ? [{ 'strimzi.io/cluster': kafka.metadata?.name, 'strimzi.io/kind': 'Kafka', 'strimzi.io/name': `${kafka.metadata?.name}-entity-operator`, 'strimzi.io/component-type': 'entity-operator' }]
      : [],
  'postgresql.cnpg.io/Cluster': (cluster) => [
    { ...cluster.spec?.inheritedMetadata?.labels, 'cnpg.io/cluster': cluster.metadata?.name, 'cnpg.io/podRole': 'instance' },
    { ...cluster.spec?.inheritedMetadata?.labels, 'cnpg.io/cluster': cluster.metadata?.name, 'cnpg.io/jobRole': 'initdb' },
  ],
  'gateway.networking.k8s.io/Gateway': (gateway) => [{ 'gateway.networking.k8s.io/gateway-name': gateway.metadata?.name }],
};

/** Secrets an operator writes for a custom resource, with their keys. Custom kinds are keyed by API group and kind. */
const OPERATOR_SECRETS = {
  // The User Operator keeps a SCRAM user's password in a Secret of the user's name.
  'kafka.strimzi.io/KafkaUser': (user) => (user.spec?.authentication?.type === 'scram-sha-512' ? [{ name: user.metadata?.name, keys: ['password', 'sasl.jaas.config'] }] : []),
};

const credentialsOf = (holder) => Object.values(holder ?? {}).filter((reference) => reference?.name);

/** Secrets a custom resource reads: `{ name, key? }`. */
const CUSTOM_RESOURCE_SECRETS = {
  'postgresql.cnpg.io/Cluster': (cluster) => [
    cluster.spec?.bootstrap?.initdb?.secret,
    cluster.spec?.superuserSecret,
    ...(cluster.spec?.managed?.roles ?? []).map((role) => role.passwordSecret),
  ].filter(Boolean),
  'barmancloud.cnpg.io/ObjectStore': (store) => [
    ...credentialsOf(store.spec?.configuration?.s3Credentials),
    ...credentialsOf(store.spec?.configuration?.azureCredentials),
    ...credentialsOf(store.spec?.configuration?.googleCredentials),
  ],
  'gateway.networking.k8s.io/Gateway': (gateway) =>
    (gateway.spec?.listeners ?? [])
      .flatMap((listener) => listener.tls?.certificateRefs ?? [])
      .filter((reference) => (reference.kind ?? 'Secret') === 'Secret' && !reference.namespace)
      .map((reference) => ({ name: reference.name })),
};

/** Other objects a custom resource names, which must be in the same render: [kind, name]. */
const CUSTOM_RESOURCE_TARGETS = {
  'postgresql.cnpg.io/Database': (database) => [['Cluster', database.spec?.cluster?.name]],
  'postgresql.cnpg.io/ScheduledBackup': (backup) => [['Cluster', backup.spec?.cluster?.name]],
  'postgresql.cnpg.io/Cluster': (cluster) => (cluster.spec?.plugins ?? []).filter((plugin) => plugin.parameters?.barmanObjectName).map((plugin) => ['ObjectStore', plugin.parameters.barmanObjectName]),
  'kafka.strimzi.io/KafkaNodePool': (pool) => [['Kafka', pool.metadata?.labels?.['strimzi.io/cluster']]],
  'kafka.strimzi.io/KafkaTopic': (topic) => [['Kafka', topic.metadata?.labels?.['strimzi.io/cluster']]],
  'kafka.strimzi.io/KafkaUser': (user) => [['Kafka', user.metadata?.labels?.['strimzi.io/cluster']]],
  'gateway.networking.k8s.io/HTTPRoute': (route) => [
    ...(route.spec?.parentRefs ?? []).filter((parent) => !parent.namespace && (parent.kind ?? 'Gateway') === 'Gateway').map((parent) => ['Gateway', parent.name]),
    ...(route.spec?.rules ?? []).flatMap((rule) => rule.backendRefs ?? []).filter((backend) => !backend.namespace && (backend.kind ?? 'Service') === 'Service').map((backend) => ['Service', backend.name]),
  ],
};

const nameOf = (object) => `${object.kind} ${object.metadata?.name}`;
/** API group and kind: two groups may both have a kind called Cluster. */
const typeOf = (object) => `${String(object.apiVersion).split('/')[0]}/${object.kind}`;

/** Kubernetes label-selector semantics: every matchLabels pair and every matchExpressions requirement. */
function selects(selector, labels) {
  const matchLabels = selector?.matchLabels ?? {};
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
  return (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return values.includes(labels[key]);
    if (operator === 'NotIn') return !values.includes(labels[key]);
    if (operator === 'Exists') return key in labels;
    if (operator === 'DoesNotExist') return !(key in labels);
    return false;
  });
}

const describeSelector = (selector) =>
  JSON.stringify({ ...selector?.matchLabels, ...Object.fromEntries((selector?.matchExpressions ?? []).map(({ key, operator, values }) => [key, `${operator} ${values ?? ''}`.trim()])) });

/** Every pod the render will make: `{ owner, labels, spec? }`; operator pods have no spec we can see. */
function podsOf(objects) {
  return objects.flatMap((object) => {
    const template = POD_TEMPLATES[object.kind]?.(object);
    if (template) return [{ owner: nameOf(object), labels: template.metadata?.labels ?? {}, spec: template.spec ?? {} }];
    return (OPERATOR_PODS[typeOf(object)]?.(object) ?? []).map((labels) => ({ owner: `pods ${nameOf(object)} makes`, labels }));
  });
}

function containersOf(spec) {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** What a pod spec reads from Secrets and ConfigMaps: `{ kind, name, key?, via }`, optional ones left out. */
function podReferences(spec) {
  const references = [];
  const add = (kind, source, key, via) => {
    if (source?.name && source.optional !== true) references.push({ kind, name: source.name, key, via });
  };
  for (const container of containersOf(spec)) {
    for (const variable of container.env ?? []) {
      add('Secret', variable.valueFrom?.secretKeyRef, variable.valueFrom?.secretKeyRef?.key, `env ${variable.name} of container ${container.name}`);
      add('ConfigMap', variable.valueFrom?.configMapKeyRef, variable.valueFrom?.configMapKeyRef?.key, `env ${variable.name} of container ${container.name}`);
    }
    for (const source of container.envFrom ?? []) {
      add('Secret', source.secretRef, undefined, `envFrom of container ${container.name}`);
      add('ConfigMap', source.configMapRef, undefined, `envFrom of container ${container.name}`);
    }
  }
  for (const volume of spec.volumes ?? []) {
    const secret = volume.secret ? { name: volume.secret.secretName, optional: volume.secret.optional } : undefined;
    for (const item of volume.secret?.items ?? [{}]) add('Secret', secret, item.key, `volume ${volume.name}`);
    for (const item of volume.configMap?.items ?? [{}]) add('ConfigMap', volume.configMap, item.key, `volume ${volume.name}`);
    for (const projected of volume.projected?.sources ?? []) {
      for (const item of projected.secret?.items ?? [{}]) add('Secret', projected.secret, item.key, `volume ${volume.name}`);
      for (const item of projected.configMap?.items ?? [{}]) add('ConfigMap', projected.configMap, item.key, `volume ${volume.name}`);
    }
  }
  for (const pullSecret of spec.imagePullSecrets ?? []) add('Secret', pullSecret, undefined, 'imagePullSecrets');
  return references;
}

/** NetworkPolicy policyTypes as the API server defaults them. */
function policyTypesOf(policy) {
  return policy.spec?.policyTypes ?? ['Ingress', ...(policy.spec?.egress ? ['Egress'] : [])];
}

/**
 * @param {object[]} objects one render's objects
 * @param {Map<string, Set<string>>} externalSecrets Secrets created outside the render (the secret
 *   templates), by name, with the keys each documents
 * @returns {{ problems: string[], usedExternalSecrets: Set<string> }}
 */
export function crossObjectProblems(objects, externalSecrets) {
  const problems = [];
  const usedExternalSecrets = new Set();
  const pods = podsOf(objects);
  const byKind = (kind) => objects.filter((object) => object.kind === kind);
  const named = (kind, name) => objects.find((object) => object.kind === kind && object.metadata?.name === name);

  const matchingPods = (selector) => pods.filter((pod) => selects(selector, pod.labels));
  /** The container port names of the selected pods, or undefined when only an operator knows them. */
  const portNamesOf = (selector) => {
    const specs = matchingPods(selector).flatMap((pod) => (pod.spec ? [pod.spec] : []));
    return specs.length > 0 ? new Set(specs.flatMap((spec) => containersOf(spec).flatMap((container) => (container.ports ?? []).map((port) => port.name)))) : undefined;
  };
  const mustSelect = (owner, what, selector) => {
    if (matchingPods(selector).length === 0) problems.push(`${owner}: ${what} ${describeSelector(selector)} matches no pod of any workload`);
  };

  for (const service of byKind('Service')) {
    const selector = service.spec?.selector;
    if (!selector) continue;
    mustSelect(nameOf(service), 'selector', { matchLabels: selector });
    // A named targetPort must be a container port of the pods it selects, or no endpoint gets it.
    const portNames = portNamesOf({ matchLabels: selector });
    for (const port of service.spec?.ports ?? []) {
      if (typeof port.targetPort === 'string' && portNames && !portNames.has(port.targetPort)) {
        problems.push(`${nameOf(service)}: targetPort ${port.targetPort} is no container port of the pods it selects`);
      }
    }
  }
  for (const budget of byKind('PodDisruptionBudget')) mustSelect(nameOf(budget), 'selector', budget.spec?.selector);
  for (const autoscaler of byKind('HorizontalPodAutoscaler')) {
    const target = autoscaler.spec?.scaleTargetRef ?? {};
    if (!named(target.kind, target.name)) problems.push(`${nameOf(autoscaler)}: scales ${target.kind} ${target.name}, which is not in this render`);
  }

  // Prometheus Operator monitors in this namespace: one that matches nothing scrapes nothing, and no alert says so.
  for (const monitor of byKind('PodMonitor').filter((candidate) => !candidate.spec?.namespaceSelector)) {
    mustSelect(nameOf(monitor), 'selector', monitor.spec?.selector);
    const portNames = portNamesOf(monitor.spec?.selector);
    for (const endpoint of monitor.spec?.podMetricsEndpoints ?? []) {
      if (endpoint.port && portNames && !portNames.has(endpoint.port)) problems.push(`${nameOf(monitor)}: port ${endpoint.port} is no container port of the pods it selects`);
    }
  }
  for (const monitor of byKind('ServiceMonitor').filter((candidate) => !candidate.spec?.namespaceSelector)) {
    if (!byKind('Service').some((service) => selects(monitor.spec?.selector, service.metadata?.labels ?? {}))) {
      problems.push(`${nameOf(monitor)}: selector ${describeSelector(monitor.spec?.selector)} matches no Service`);
    }
  }

  const policies = byKind('NetworkPolicy');
  for (const policy of policies) {
    mustSelect(nameOf(policy), 'podSelector', policy.spec?.podSelector);
    const peers = [...(policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? []), ...(policy.spec?.egress ?? []).flatMap((rule) => rule.to ?? [])];
    // A peer with a namespaceSelector may mean pods of other namespaces, which no render holds.
    for (const peer of peers) if (peer.podSelector && !peer.namespaceSelector) mustSelect(nameOf(policy), 'peer podSelector', peer.podSelector);
  }
  for (const kafka of byKind('Kafka')) {
    for (const listener of kafka.spec?.kafka?.listeners ?? []) {
      for (const peer of listener.networkPolicyPeers ?? []) {
        if (peer.podSelector && !peer.namespaceSelector) mustSelect(nameOf(kafka), `listener ${listener.name} networkPolicyPeers podSelector`, peer.podSelector);
      }
    }
  }
  // Every pod, the operators' too, is under a policy for each direction: with a default deny in
  // place, whatever no rule allows is refused.
  for (const pod of pods) {
    for (const direction of ['Ingress', 'Egress']) {
      if (!policies.some((policy) => policyTypesOf(policy).includes(direction) && selects(policy.spec?.podSelector, pod.labels))) {
        problems.push(`${pod.owner}: no NetworkPolicy covers its ${direction.toLowerCase()} (labels ${JSON.stringify(pod.labels)})`);
      }
    }
  }

  // Secrets and ConfigMaps: in the render, written by an operator of the render, or external.
  const keysOf = new Map();
  for (const object of objects) {
    if (object.kind === 'Secret') keysOf.set(`Secret ${object.metadata?.name}`, new Set([...Object.keys(object.data ?? {}), ...Object.keys(object.stringData ?? {})]));
    if (object.kind === 'ConfigMap') keysOf.set(`ConfigMap ${object.metadata?.name}`, new Set([...Object.keys(object.data ?? {}), ...Object.keys(object.binaryData ?? {})]));
    for (const secret of OPERATOR_SECRETS[typeOf(object)]?.(object) ?? []) keysOf.set(`Secret ${secret.name}`, new Set(secret.keys));
  }
  const mustExist = (owner, { kind, name, key, via }) => {
    let keys = keysOf.get(`${kind} ${name}`);
    if (!keys && kind === 'Secret' && externalSecrets.has(name)) {
      usedExternalSecrets.add(name);
      keys = externalSecrets.get(name);
    }
    const where = via ? ` (${via})` : '';
    if (!keys) problems.push(`${owner}: reads ${kind} ${name}${where}, which is neither in this render nor a template in deploy/k8s/secret-templates`);
    else if (key !== undefined && !keys.has(key)) problems.push(`${owner}: reads key ${key} of ${kind} ${name}${where}, which has no such key`);
  };
  for (const object of objects) {
    const template = POD_TEMPLATES[object.kind]?.(object);
    if (template?.spec) for (const reference of podReferences(template.spec)) mustExist(nameOf(object), reference);
    for (const reference of CUSTOM_RESOURCE_SECRETS[typeOf(object)]?.(object) ?? []) mustExist(nameOf(object), { kind: 'Secret', ...reference });
    for (const [kind, name] of CUSTOM_RESOURCE_TARGETS[typeOf(object)]?.(object) ?? []) {
      if (!named(kind, name)) problems.push(`${nameOf(object)}: names ${kind} ${name}, which is not in this render`);
    }
  }

  // Each workload runs as a ServiceAccount of the render that mounts no API token; no two
  // Deployments share one, so a grant given to one service never reaches another.
  const accountUsers = new Map();
  for (const object of objects) {
    const spec = POD_TEMPLATES[object.kind]?.(object)?.spec;
    if (!spec) continue;
    const account = spec.serviceAccountName;
    if (!account) {
      problems.push(`${nameOf(object)}: runs as the namespace's default ServiceAccount; name one of its own`);
      continue;
    }
    const serviceAccount = named('ServiceAccount', account);
    if (!serviceAccount) problems.push(`${nameOf(object)}: runs as ServiceAccount ${account}, which is not in this render`);
    else if (serviceAccount.automountServiceAccountToken !== false) problems.push(`ServiceAccount ${account}: automountServiceAccountToken must be false (no workload here talks to the Kubernetes API)`);
    if (object.kind === 'Deployment') accountUsers.set(account, [...(accountUsers.get(account) ?? []), nameOf(object)]);
  }
  for (const [account, users] of accountUsers) if (users.length > 1) problems.push(`ServiceAccount ${account}: shared by ${users.join(' and ')}`);

  return { problems, usedExternalSecrets };
}
