import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { collectDefaultMetrics, Registry } from 'prom-client';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';

/**
 * What deploy/k8s/base/monitoring ships (the PodMonitors, the PrometheusRule and the Grafana
 * dashboard) against the code: an alert or a panel that names a metric nobody registers, or a
 * label the metric does not have, stays silent for ever instead of failing anywhere. Every PromQL
 * expression is parsed with Prometheus's own grammar (the one its web UI uses), and the metrics
 * are what the sources define (every `new Counter|Gauge|Histogram|Summary({ name, help })` and
 * every database gauge `{ name, help, query }`), plus prom-client's default metrics as a real
 * registry registers them.
 */

const ROOT = path.resolve(__dirname, '../../..');
const MONITORING = path.join(ROOT, 'deploy/k8s/base/monitoring');
const RUNBOOK = 'docs/runbook.md';

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly file: string;
}

const METRIC_CLASSES: Readonly<Record<string, MetricType>> = { Counter: 'counter', Gauge: 'gauge', Histogram: 'histogram', Summary: 'summary' };

/**
 * Series no code of ours registers: Prometheus's own `up` per target, and CloudNativePG's exporter
 * on the database's instances (its default metrics, docs/metrics.md).
 */
const EXTERNAL_METRICS: ReadonlySet<string> = new Set(['up', 'cnpg_collector_up', 'cnpg_pg_replication_lag']);

/**
 * Labels every series of ours carries besides its own: `service` (the registry's default label),
 * and what Prometheus adds to a PodMonitor's targets.
 */
const COMMON_LABELS: ReadonlySet<string> = new Set(['service', 'namespace', 'pod', 'container', 'endpoint', 'job', 'instance']);

function typeScriptFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => path.join(dir, file));
}

function stringProperty(node: ts.ObjectLiteralExpression, name: string): string | undefined {
  const property = node.properties.find((candidate): candidate is ts.PropertyAssignment => ts.isPropertyAssignment(candidate) && candidate.name.getText() === name);
  return property && ts.isStringLiteralLike(property.initializer) ? property.initializer.text : undefined;
}

function stringsProperty(node: ts.ObjectLiteralExpression, name: string): string[] {
  const property = node.properties.find((candidate): candidate is ts.PropertyAssignment => ts.isPropertyAssignment(candidate) && candidate.name.getText() === name);
  if (!property || !ts.isArrayLiteralExpression(property.initializer)) return [];
  return property.initializer.elements.filter(ts.isStringLiteralLike).map((element) => element.text);
}

/** A prom-client metric's options (the first argument of `new Counter(...)` and the like), or a database gauge of MetricsModule. */
function metricTypeOf(node: ts.ObjectLiteralExpression): MetricType | undefined {
  const parent = node.parent;
  if (ts.isNewExpression(parent) && parent.arguments?.[0] === node) return METRIC_CLASSES[parent.expression.getText()];
  return stringProperty(node, 'query') === undefined ? undefined : 'gauge';
}

/** The metrics defined in the services' and libraries' sources. */
function metricDefinitions(): MetricDefinition[] {
  const files = ['libs/platform/src', 'services'].flatMap((dir) => typeScriptFilesUnder(path.join(ROOT, dir))).filter((file) => !file.includes(`${path.sep}test${path.sep}`));
  return files.flatMap((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023, true);
    const found: MetricDefinition[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const name = stringProperty(node, 'name');
        const type = metricTypeOf(node);
        if (name !== undefined && type !== undefined && node.properties.some((property) => property.name?.getText() === 'help')) {
          found.push({ name, type, labelNames: stringsProperty(node, 'labelNames'), file: path.relative(ROOT, file) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  });
}

/** The names a metric's series have in the exposition: a histogram's are its _bucket, _count and _sum. */
function seriesNamesOf(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_count`, `${name}_sum`];
  if (type === 'summary') return [name, `${name}_count`, `${name}_sum`];
  return [name];
}

/** prom-client's process and Node.js metrics, as collectDefaultMetrics registers them in every service: series name → its labels. */
async function defaultSeries(): Promise<Map<string, ReadonlySet<string>>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const series = new Map<string, ReadonlySet<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const labels = new Set(metric.values.flatMap((value) => Object.keys(value.labels)));
    // prom-client's typings call `type` a numeric enum; at run time it is the type's name ('histogram').
    for (const name of seriesNamesOf(metric.name, String(metric.type))) series.set(name, labels);
  }
  registry.clear();
  return series;
}

/** One selector of a PromQL expression: the metric it names and the labels it matches on. */
interface Selector {
  readonly metric: string;
  readonly labels: readonly string[];
}

/** The selectors of a PromQL expression, and its syntax errors (the text at each). */
function readPromQl(expression: string): { selectors: Selector[]; errors: string[] } {
  const selectors: Selector[] = [];
  const errors: string[] = [];
  // A vector selector holds no other: its metric (an Identifier) and its matchers' LabelNames are the ones met until it ends.
  let current: { metric?: string; labels: string[] } | undefined;
  parser.parse(expression).iterate({
    enter: (node) => {
      const text = expression.slice(node.from, node.to);
      if (node.type.isError) errors.push(`at ${node.from}: "${expression.slice(node.from, node.to + 12)}"`);
      if (node.name === 'VectorSelector') current = { labels: [] };
      else if (current && node.name === 'Identifier') current.metric = text;
      else if (current && node.name === 'LabelName') current.labels.push(text);
    },
    leave: (node) => {
      if (node.name !== 'VectorSelector' || current === undefined) return;
      if (current.metric !== undefined) selectors.push({ metric: current.metric, labels: current.labels });
      current = undefined;
    },
  });
  return { selectors, errors };
}

/** What Grafana does before it sends a query: its interval variables become durations. Other `$` outside a string fail to parse. */
function interpolated(expression: string): string {
  return expression.replaceAll(/\$__(rate_interval|interval|range)\b/g, '5m');
}

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr?: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface PrometheusRule {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly spec?: { readonly groups?: readonly { readonly name?: string; readonly rules?: readonly Rule[] }[] };
}

interface Target {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos?: { readonly h?: number; readonly w?: number; readonly x?: number; readonly y?: number };
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}

interface Dashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly Panel[];
  readonly templating?: { readonly list?: readonly { readonly name?: string; readonly type?: string; readonly query?: unknown; readonly datasource?: { readonly uid?: string } }[] };
}

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

interface Manifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly labels?: Record<string, string> };
  readonly spec?: {
    readonly jobLabel?: string;
    readonly selector?: LabelSelector;
    readonly podMetricsEndpoints?: readonly { readonly port?: string; readonly path?: string }[];
    readonly template?: { readonly metadata?: { readonly labels?: Record<string, string> }; readonly spec?: { readonly containers?: readonly { readonly ports?: readonly { readonly name?: string }[] }[] } };
  };
}

function manifestsIn(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS() as Manifest);
}

/** Whether a Kubernetes label selector (matchLabels, and In/NotIn/Exists/DoesNotExist expressions) selects `labels`. */
function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const matched = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    matched &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const value = labels[key];
      if (operator === 'In') return value !== undefined && values.includes(value);
      if (operator === 'NotIn') return value === undefined || !values.includes(value);
      return operator === 'Exists' ? value !== undefined : value === undefined;
    })
  );
}

/** The dashboard's panels, those inside collapsed rows included. */
function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

describe('monitoring in deploy/k8s/base/monitoring', () => {
  const definitions = metricDefinitions();
  const rules = parse(readFileSync(path.join(MONITORING, 'prometheus-rules.yaml'), 'utf8')) as PrometheusRule;
  const alerts = (rules.spec?.groups ?? []).flatMap((group) => group.rules ?? []);
  const dashboard = JSON.parse(readFileSync(path.join(MONITORING, 'dashboards/bill-vending.json'), 'utf8')) as Dashboard;
  const panels = allPanels(dashboard.panels ?? []);

  /** Every PromQL expression shipped, with where it is used. */
  function shippedExpressions(): { where: string; expression: string }[] {
    const fromAlerts = alerts.map((rule) => ({ where: `alert ${rule.alert ?? rule.record}`, expression: rule.expr ?? '' }));
    const fromPanels = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel ${panel.id} "${panel.title}" ${target.refId}`, expression: interpolated(target.expr ?? '') })));
    const fromVariables = (dashboard.templating?.list ?? [])
      .filter((variable) => variable.type === 'query')
      .map((variable) => {
        const query = (variable.query as { query?: string } | undefined)?.query ?? '';
        // label_values(<series selector>, <label>): Grafana's own function around a PromQL selector.
        const selector = /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
        return { where: `variable ${variable.name}`, expression: selector ?? query };
      });
    return [...fromAlerts, ...fromPanels, ...fromVariables];
  }

  it('finds the metrics the services define (the scan itself works)', () => {
    const names = definitions.map((definition) => definition.name);
    expect(names).toEqual(expect.arrayContaining(['http_request_duration_seconds', 'bvs_kafka_consumer_lag_messages', 'bvs_outbox_oldest_unpublished_age_seconds', 'bvs_provider_errors_total', 'bvs_billing_vends_in_flight']));
    expect(definitions.find((definition) => definition.name === 'bvs_provider_errors_total')).toMatchObject({ type: 'counter', labelNames: ['operation', 'kind'] });
    expect(definitions.find((definition) => definition.name === 'bvs_bills_pending')).toMatchObject({ type: 'gauge', labelNames: [] });
  });

  it('defines each metric once, named as Prometheus names them: base units, _total for counters only', () => {
    const names = definitions.map((definition) => definition.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
    const misnamed = definitions.filter(({ name, type }) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) return true;
      if (!name.startsWith('bvs_') && name !== 'http_request_duration_seconds') return true;
      if ((type === 'counter') !== name.endsWith('_total')) return true;
      if (type === 'histogram' && !/_(seconds|bytes)$/.test(name)) return true;
      return /_(ms|milliseconds|minutes|hours|days|kilobytes|megabytes|percent)(_|$)/.test(name);
    });
    expect(misnamed).toEqual([]);
  });

  it('parses every rule group and every alert expression', () => {
    expect(rules).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
    const groups = rules.spec?.groups ?? [];
    expect(groups.length).toBeGreaterThan(0);
    expect(new Set(groups.map((group) => group.name)).size).toBe(groups.length);
    for (const group of groups) expect({ group: group.name, rules: (group.rules ?? []).length > 0 }).toEqual({ group: group.name, rules: true });
    const unparsed = alerts.flatMap((rule) => readPromQl(rule.expr ?? '').errors.map((error) => `${rule.alert}: ${error}`));
    expect(unparsed).toEqual([]);
  });

  it('gives every alert a unique name, a duration, its severity, summary, description and a runbook section', () => {
    const names = alerts.map((rule) => rule.alert);
    expect(names.every((name) => name !== undefined && /^Bvs[A-Z][A-Za-z]+$/.test(name))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    const runbook = readFileSync(path.join(ROOT, RUNBOOK), 'utf8');
    const headings = new Set([...runbook.matchAll(/^#{2,4} (\S+)\s*$/gm)].map((match) => match[1]));
    for (const rule of alerts) {
      const alert = rule.alert ?? '';
      expect({ alert, for: rule.for === undefined || /^\d+[smh]$/.test(rule.for) }).toEqual({ alert, for: true });
      expect({ alert, severity: rule.labels?.['severity'] }).toEqual({ alert, severity: expect.stringMatching(/^(critical|warning)$/) });
      expect({ alert, summary: rule.annotations?.['summary'], description: rule.annotations?.['description'] }).toEqual({ alert, summary: expect.stringMatching(/\S/), description: expect.stringMatching(/\S/) });
      expect({ alert, runbook: rule.annotations?.['runbook_url'] }).toEqual({ alert, runbook: `${RUNBOOK}#${alert.toLowerCase()}` });
      expect({ alert, section: headings.has(alert) }).toEqual({ alert, section: true });
    }
  });

  it('has the alerts issue 13 asks for: a stuck payment, a dead letter, lag, outbox age, the API and the provider error rates', () => {
    const watched = new Set(alerts.flatMap((rule) => readPromQl(rule.expr ?? '').selectors.map((selector) => selector.metric)));
    for (const metric of ['bvs_bills_pending_oldest_seconds', 'bvs_dead_letters_total', 'bvs_kafka_consumer_lag_messages', 'bvs_outbox_oldest_unpublished_age_seconds', 'http_request_duration_seconds_count', 'bvs_provider_errors_total']) {
      expect({ metric, alerted: watched.has(metric) }).toEqual({ metric, alerted: true });
    }
  });

  it('uses only metrics the code registers, with labels they have, in the alerts and the dashboard', async () => {
    const known = new Map<string, ReadonlySet<string>>();
    for (const { name, type, labelNames } of definitions) {
      for (const series of seriesNamesOf(name, type)) known.set(series, new Set([...labelNames, ...(series.endsWith('_bucket') ? ['le'] : [])]));
    }
    for (const [series, labels] of await defaultSeries()) known.set(series, labels);
    const unknown: string[] = [];
    for (const { where, expression } of shippedExpressions()) {
      const { selectors, errors } = readPromQl(expression);
      unknown.push(...errors.map((error) => `${where}: does not parse, ${error}`));
      for (const { metric, labels } of selectors) {
        if (EXTERNAL_METRICS.has(metric)) continue;
        const own = known.get(metric);
        if (own === undefined) unknown.push(`${where}: no metric ${metric} is registered`);
        else unknown.push(...labels.filter((label) => !own.has(label) && !COMMON_LABELS.has(label)).map((label) => `${where}: ${metric} has no label ${label}`));
      }
    }
    expect(unknown).toEqual([]);
    expect(shippedExpressions().length).toBeGreaterThan(30);
  });

  it('gives the dashboard unique panel ids, places, and only the Prometheus datasource it defines', () => {
    expect(dashboard).toMatchObject({ uid: expect.stringMatching(/^[a-z0-9-]{1,40}$/), title: expect.any(String) });
    const ids = panels.map((panel) => panel.id);
    expect(ids.every(Number.isInteger)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const datasources = (dashboard.templating?.list ?? []).filter((variable) => variable.type === 'datasource');
    expect(datasources).toEqual([expect.objectContaining({ name: 'datasource', query: 'prometheus' })]);
    const reference = { type: 'prometheus', uid: '${datasource}' };
    for (const variable of (dashboard.templating?.list ?? []).filter((candidate) => candidate.type === 'query')) expect({ variable: variable.name, datasource: variable.datasource }).toEqual({ variable: variable.name, datasource: reference });
    for (const panel of panels) {
      const where = `panel ${panel.id} "${panel.title}"`;
      expect({ where, placed: [panel.gridPos?.h, panel.gridPos?.w, panel.gridPos?.x, panel.gridPos?.y].every(Number.isInteger) }).toEqual({ where, placed: true });
      if (panel.type === 'row') continue;
      const targets = panel.targets ?? [];
      expect({ where, datasource: panel.datasource, targets: targets.length > 0 }).toEqual({ where, datasource: reference, targets: true });
      for (const target of targets) expect({ where, target: target.refId, datasource: target.datasource }).toEqual({ where, target: target.refId, datasource: reference });
      expect({ where, refIds: new Set(targets.map((target) => target.refId)).size }).toEqual({ where, refIds: targets.length });
    }
  });

  it('scrapes exactly the Deployments that name a metrics port, and the database instances, by PodMonitor', () => {
    const monitors = manifestsIn(path.join(MONITORING, 'pod-monitors.yaml'));
    const base = path.join(ROOT, 'deploy/k8s/base');
    const deployments = readdirSync(base, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('deployment.yaml'))
      .flatMap((file) => manifestsIn(path.join(base, file)))
      .filter((manifest) => manifest.kind === 'Deployment');
    const services = monitors.find((monitor) => monitor.metadata?.name === 'bvs-services');
    expect(services).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', spec: { jobLabel: 'app.kubernetes.io/name', podMetricsEndpoints: [{ port: 'metrics', path: '/metrics' }] } });
    const servingMetrics = deployments.filter((deployment) => (deployment.spec?.template?.spec?.containers ?? []).some((container) => (container.ports ?? []).some((port) => port.name === 'metrics')));
    const scraped = deployments.filter((deployment) => selects(services?.spec?.selector ?? {}, deployment.spec?.template?.metadata?.labels ?? {}));
    expect(scraped.map((deployment) => deployment.metadata?.name).sort()).toEqual(servingMetrics.map((deployment) => deployment.metadata?.name).sort());
    expect(scraped.map((deployment) => deployment.metadata?.name).sort()).toEqual(['auth', 'billing', 'gateway', 'wallet']);

    const [cluster] = manifestsIn(path.join(base, 'postgres/cluster.yaml'));
    const postgres = monitors.find((monitor) => monitor.metadata?.name === 'bvs-postgres');
    expect(postgres).toMatchObject({ kind: 'PodMonitor', spec: { selector: { matchLabels: { 'cnpg.io/cluster': cluster?.metadata?.name, 'cnpg.io/podRole': 'instance' } }, podMetricsEndpoints: [{ port: 'metrics' }] } });
  });

  it('is part of the base, with the dashboard in a ConfigMap that the Grafana sidecar loads', () => {
    const base = parse(readFileSync(path.join(ROOT, 'deploy/k8s/base/kustomization.yaml'), 'utf8')) as { resources?: string[] };
    expect(base.resources).toContain('monitoring');
    const kustomization = parse(readFileSync(path.join(MONITORING, 'kustomization.yaml'), 'utf8')) as {
      resources?: string[];
      configMapGenerator?: { name?: string; files?: string[]; options?: { labels?: Record<string, string> } }[];
    };
    expect(kustomization.resources?.sort()).toEqual(['pod-monitors.yaml', 'prometheus-rules.yaml']);
    expect(kustomization.configMapGenerator).toEqual([expect.objectContaining({ files: ['dashboards/bill-vending.json'], options: expect.objectContaining({ labels: expect.objectContaining({ grafana_dashboard: '1' }) }) })]);
  });

  it('lists every metric in docs/metrics.md with its type and labels, and nothing else', () => {
    // Rows of the form | `name` | type | `label`, `label` (or —) | ... |
    const documented = [...readFileSync(path.join(ROOT, 'docs/metrics.md'), 'utf8').matchAll(/^\| `([a-z_]+)` \| (counter|gauge|histogram|summary) \| ([^|]*) \|/gm)].map((match) => ({
      name: match[1],
      type: match[2],
      labelNames: [...(match[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((label) => label[1]),
    }));
    const defined = definitions.map(({ name, type, labelNames }) => ({ name, type, labelNames: [...labelNames] }));
    const byName = (left: { name?: string }, right: { name?: string }) => (left.name ?? '').localeCompare(right.name ?? '');
    expect(documented.sort(byName)).toEqual(defined.sort(byName));
  });
});
