// Where a pay request's time goes, hop by hop, from the spans the services wrote while a benchmark
// ran with OTEL_TRACES_EXPORTER=file (see docs/benchmarks.md, "Where the time goes"):
//
//   node tools/bench/purchase/span-breakdown.mjs /tmp/bvs-spans.jsonl
//
// For every traced `POST /api/bills/pay` it splits the gateway's time into: before its first
// backend call (auth guard, Redis checks, body validation), each gRPC call as the gateway saw it,
// the same call as the backend served it (the difference is transport plus the wait for the
// backend's event loop), and within the wallet's InitiatePayment the time spent in SQL against the
// rest (the wait for its group commit's turn, and CPU).
//
// Then, for every purchase traced past its 202 (the trace travels with the outbox events and the
// bill), it splits the time from the wallet's answer to the wallet's settlement into its hops: the
// outbox relay, Kafka, billing's consumer, the claim, the provider call (and within it the wait
// before the simulator started, the simulator's own time and its INSERT), the settlement's group
// commit, billing's relay, Kafka again and the wallet's consumer. Prints p50/p95/p99 of each in ms.
import { readFileSync } from 'node:fs';
import { percentiles } from './stats.mjs';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node tools/bench/purchase/span-breakdown.mjs SPANS_FILE\n');
  process.exit(64);
}

const spans = readFileSync(path, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line));
const byTrace = new Map();
for (const span of spans) {
  const trace = byTrace.get(span.traceId) ?? [];
  trace.push(span);
  byTrace.set(span.traceId, trace);
}

const ms = (us) => us / 1_000;
const durationOf = (span) => ms(span.endUs - span.startUs);
/** Microseconds covered by at least one of the spans (SQL statements of one transaction may overlap nothing, but pipelined ones would). */
function coveredUs(intervals) {
  const sorted = [...intervals].sort((a, b) => a.startUs - b.startUs);
  let covered = 0;
  let end = -Infinity;
  for (const { startUs, endUs } of sorted) {
    if (endUs <= end) continue;
    covered += endUs - Math.max(startUs, end);
    end = endUs;
  }
  return covered;
}
const isPayRequest = (span) =>
  span.service === 'gateway' &&
  span.kind === 'SERVER' &&
  String(span.attributes['http.method'] ?? span.attributes['http.request.method'] ?? span.name).includes('POST') &&
  String(span.attributes['http.route'] ?? span.attributes['http.target'] ?? span.attributes['url.path'] ?? span.name).includes('/bills/pay');
const methodOf = (span) => span.name.slice(span.name.lastIndexOf('/') + 1);

const segments = new Map();
const record = (name, value) => {
  const values = segments.get(name) ?? [];
  values.push(value);
  segments.set(name, values);
};

let requests = 0;
let completions = 0;
for (const trace of byTrace.values()) {
  const children = new Map();
  for (const span of trace) {
    const siblings = children.get(span.parentSpanId) ?? [];
    siblings.push(span);
    children.set(span.parentSpanId, siblings);
  }
  const descendantsOf = (span) => (children.get(span.spanId) ?? []).flatMap((child) => [child, ...descendantsOf(child)]);
  for (const root of trace.filter(isPayRequest)) {
    const calls = descendantsOf(root)
      .filter((span) => span.service === 'gateway' && span.kind === 'CLIENT' && span.name.includes('/'))
      .sort((a, b) => a.startUs - b.startUs);
    if (calls.length === 0) continue;
    requests += 1;
    record('total (gateway, request in -> response out)', durationOf(root));
    record('gateway: in -> first backend call (guards, Redis, validation)', ms(calls[0].startUs - root.startUs));
    record('gateway: last backend answer -> response out', ms(root.endUs - Math.max(...calls.map((call) => call.endUs))));
    for (const call of calls) {
      const method = methodOf(call);
      record(`${method}: as the gateway waited for it`, durationOf(call));
      const served = (children.get(call.spanId) ?? []).find((span) => span.kind === 'SERVER');
      if (!served) continue;
      record(`${method}: served by ${served.service}`, durationOf(served));
      record(`${method}: transport and queueing (waited - served)`, durationOf(call) - durationOf(served));
      const statements = descendantsOf(served).filter((span) => span.kind === 'CLIENT' && span.attributes['db.system'] === 'postgresql');
      if (statements.length === 0) continue;
      const sqlUs = coveredUs(statements);
      record(`${method}: in SQL (${served.service})`, ms(sqlUs));
      record(`${method}: statements`, statements.length);
      record(`${method}: not in SQL (batch wait, CPU)`, durationOf(served) - ms(sqlUs));
    }
  }
  recordCompletion(trace, descendantsOf);
}

/**
 * The hops of one purchase after its 202, when the trace holds all of them (a purchase that needed
 * a requery or a second vend has more spans than this path; the first of each kind is taken).
 */
function recordCompletion(trace, descendantsOf) {
  const first = (test) => trace.filter(test).sort((a, b) => a.startUs - b.startUs)[0];
  const answered = first((span) => span.service === 'wallet' && span.kind === 'SERVER' && span.name.endsWith('/InitiatePayment'));
  const requestPublished = first((span) => span.service === 'wallet' && span.kind === 'PRODUCER' && span.name.startsWith('send wallet.payment-requested'));
  const requestConsumed = first((span) => span.service === 'billing' && span.kind === 'CONSUMER' && span.name.startsWith('process wallet.payment-requested'));
  const step = first((span) => span.service === 'billing' && span.name === 'vend-bill step');
  const providerServed = first((span) => span.service === 'provider-sim' && span.kind === 'SERVER' && span.name === 'POST /vend');
  const providerCall = providerServed && trace.find((span) => span.spanId === providerServed.parentSpanId && span.service === 'billing');
  // Named after its prepared statement (pg.query:vends_insert) since the simulator prepares it; plain text before.
  const providerInsert = providerServed && descendantsOf(providerServed).find((span) => span.kind === 'CLIENT' && /^pg\.query:(INSERT|vends_insert)\b/.test(span.name));
  const outcomePublished = first((span) => span.service === 'billing' && span.kind === 'PRODUCER' && span.name.startsWith('send billing.payment-'));
  const outcomeConsumed = first((span) => span.service === 'wallet' && span.kind === 'CONSUMER' && span.name.startsWith('process billing.payment-'));
  const hops = [answered, requestPublished, requestConsumed, step, providerServed, providerCall, providerInsert, outcomePublished, outcomeConsumed];
  if (hops.some((span) => !span)) return;
  completions += 1;
  const between = (fromUs, toUs) => ms(toUs - fromUs);
  record('after 202, total: wallet answered -> wallet settled', between(answered.endUs, outcomeConsumed.endUs));
  record('after 202: wallet answered -> its relay publishes the request', between(answered.endUs, requestPublished.startUs));
  record('after 202: Kafka, published -> billing consumes', between(requestPublished.startUs, requestConsumed.startUs));
  record("after 202: billing's consumer (its batch transaction)", durationOf(requestConsumed));
  record('after 202: bill recorded -> its step starts (claim)', between(requestConsumed.endUs, step.startUs));
  record('after 202: provider call as billing waited for it', durationOf(providerCall));
  record('after 202:   of which before the simulator began (connection, its event loop)', between(providerCall.startUs, providerServed.startUs));
  record('after 202:   of which the simulator served (its latency setting, then its INSERT)', durationOf(providerServed));
  record("after 202:   of which the simulator's INSERT", durationOf(providerInsert));
  record('after 202: provider answered -> step ends (settlement group commit)', between(providerCall.endUs, step.endUs));
  record("after 202: step ends -> billing's relay publishes the outcome", between(step.endUs, outcomePublished.startUs));
  record('after 202: Kafka, published -> wallet consumes', between(outcomePublished.startUs, outcomeConsumed.startUs));
  record("after 202: wallet's consumer (its batch transaction)", durationOf(outcomeConsumed));
}

if (requests === 0) {
  process.stderr.write(`no traced POST /api/bills/pay with backend calls in ${path} (${spans.length} spans)\n`);
  process.exit(1);
}
process.stdout.write(`pay requests traced: ${requests}, purchases traced to their settlement: ${completions} (${spans.length} spans)\n\n`);
const rows = [...segments].map(([name, values]) => ({ segment: name, ...percentiles(values) }));
const width = Math.max(...rows.map((row) => row.segment.length));
process.stdout.write(`${'segment'.padEnd(width)}  ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'count'.padStart(6)}\n`);
for (const row of rows) {
  process.stdout.write(`${row.segment.padEnd(width)}  ${String(row.p50).padStart(8)} ${String(row.p95).padStart(8)} ${String(row.p99).padStart(8)} ${String(row.count).padStart(6)}\n`);
}
