import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_TOPIC_PARTITIONS } from '@bvs/contracts';
import { parseAllDocuments } from 'yaml';

const K8S = path.resolve(__dirname, '../../../deploy/k8s');

interface Manifest {
  kind?: string;
  metadata?: { name?: string };
  spec?: { partitions?: number; maxReplicas?: number };
  patches?: { target?: { kind?: string }; patch?: string }[];
}

function manifestsUnder(dir: string): Manifest[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((document) => document.toJS() as Manifest));
}

/** Values an overlay sets on `path` of objects of `kind` through its JSON patches. */
function patchedValues(kind: string, jsonPath: string): number[] {
  return manifestsUnder(path.join(K8S, 'overlays'))
    .flatMap((manifest) => manifest.patches ?? [])
    .filter((patch) => patch.target?.kind === kind && typeof patch.patch === 'string')
    .flatMap((patch) => (parseAllDocuments(patch.patch as string)[0]?.toJS() as { path: string; value: number }[]).filter((op) => op.path === jsonPath).map((op) => op.value));
}

describe('partitions and replicas in deploy/', () => {
  const base = manifestsUnder(path.join(K8S, 'base'));

  it('gives every event topic and dead-letter topic the partitions the contracts name', () => {
    const topics = base.filter((manifest) => manifest.kind === 'KafkaTopic');
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect({ topic: topic.metadata?.name, partitions: topic.spec?.partitions }).toEqual({ topic: topic.metadata?.name, partitions: EVENT_TOPIC_PARTITIONS });
    expect(patchedValues('KafkaTopic', '/spec/partitions').every((value) => value >= EVENT_TOPIC_PARTITIONS)).toBe(true);
  });

  it('caps no autoscaler above the partitions, in the base or in any overlay', () => {
    const maxima = [...base.filter((manifest) => manifest.kind === 'HorizontalPodAutoscaler').map((hpa) => hpa.spec?.maxReplicas ?? 0), ...patchedValues('HorizontalPodAutoscaler', '/spec/maxReplicas')];
    expect(maxima.length).toBeGreaterThan(4);
    expect(maxima.filter((maximum) => maximum > EVENT_TOPIC_PARTITIONS)).toEqual([]);
  });
});
