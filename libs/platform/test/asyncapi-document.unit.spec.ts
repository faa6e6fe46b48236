import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_EVENT_TOPICS, asyncApiDocument, deadLetterTopicOf } from '@bvs/contracts';
import { parse } from 'yaml';

describe('docs/asyncapi.yaml', () => {
  const committed: unknown = parse(readFileSync(path.join(__dirname, '../../../docs/asyncapi.yaml'), 'utf8'));

  it('is exactly what the contracts describe (regenerate with npm run docs:asyncapi)', () => {
    expect(committed).toEqual(asyncApiDocument());
  });

  it('has a channel for every event topic and its dead-letter topic', () => {
    const channels = (committed as { channels: Record<string, { address: string }> }).channels;
    const addresses = Object.values(channels).map((channel) => channel.address);
    expect(addresses.sort()).toEqual(ALL_EVENT_TOPICS.flatMap((topic) => [topic, deadLetterTopicOf(topic)]).sort());
  });
});
