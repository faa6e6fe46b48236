import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_EVENT_TOPICS, asyncApiDocument, deadLetterTopicOf } from '@bvs/contracts';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { parse } from 'yaml';

describe('docs/asyncapi.yaml', () => {
  const text = readFileSync(path.join(__dirname, '../../../docs/asyncapi.yaml'), 'utf8');
  const committed: unknown = parse(text);

  it('is exactly what the contracts describe (regenerate with npm run docs:asyncapi)', () => {
    expect(committed).toEqual(asyncApiDocument());
  });

  it('is a valid AsyncAPI document: the official parser finds no error in it', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    // Warnings and hints (such as "a newer AsyncAPI version exists") are advice; errors break tools.
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(document?.channels().all().map((channel) => channel.address())).toHaveLength(ALL_EVENT_TOPICS.length * 2);
  });

  it('has a channel for every event topic and its dead-letter topic', () => {
    const channels = (committed as { channels: Record<string, { address: string }> }).channels;
    const addresses = Object.values(channels).map((channel) => channel.address);
    expect(addresses.sort()).toEqual(ALL_EVENT_TOPICS.flatMap((topic) => [topic, deadLetterTopicOf(topic)]).sort());
  });
});
