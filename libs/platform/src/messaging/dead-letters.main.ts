import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ALL_EVENT_TOPICS, isEventTopic, type EventTopic } from '@bvs/contracts';
import { Expose } from 'class-transformer';
import { IsUrl } from 'class-validator';
import { Kafka } from 'kafkajs';
import { ConfigError, KafkaIdentityEnv, loadConfig, ServiceEnv } from '../config';
import { kafkaClientConfig } from '../kafka';
import { EventSchemaRegistry } from '../schema-registry';
import { describeDeadLetter, readDeadLetters, replayDeadLetters, selectDeadLetters, type DeadLetter } from './dead-letters';

/** A command line the tool cannot act on: said with the usage, exit 2. */
class UsageError extends Error {}

class DeadLetterToolEnv extends KafkaIdentityEnv {
  @Expose()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  SCHEMA_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';
}

const USAGE = `npm run dlq -- list   [--topic <event topic>]
npm run dlq -- show   --topic <event topic> --partition <n> --offset <n>
npm run dlq -- replay --topic <event topic> [--partition <n> [--offset <n>]] [--dry-run]

Reads <topic>.dlq as the Kafka user in KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD (an operator's:
it reads the dead-letter topics and writes the event topics). A replay sends each parked message,
unchanged, back to its topic; consumers that applied it already drop it in their inbox.`;

/**
 * \`npm run dlq\`: list, show and replay dead letters, per topic and per message, with a dry run.
 * Dead letters are never deleted or committed here: the topic's retention ends them.
 */
async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { topic: { type: 'string' }, partition: { type: 'string' }, offset: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const command = positionals[0];
  if (command !== 'list' && command !== 'show' && command !== 'replay') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const topics = topicsOf(values.topic, command !== 'list');
  const selection = { ...(values.partition === undefined ? {} : { partition: wholeNumber(values.partition, 'partition') }), ...(values.offset === undefined ? {} : { offset: String(wholeNumber(values.offset, 'offset')) }) };
  if (command === 'show' && (selection.partition === undefined || selection.offset === undefined)) throw new UsageError('show needs --partition and --offset');
  if (selection.offset !== undefined && selection.partition === undefined) throw new UsageError('--offset needs --partition');

  const env = loadConfig(ServiceEnv, { HTTP_PORT: '0', ...process.env });
  const tool = loadConfig(DeadLetterToolEnv, process.env);
  const kafka = new Kafka(kafkaClientConfig(env, tool, 'dlq-tool'));
  for (const topic of topics) {
    const letters = selectDeadLetters(await readDeadLetters(kafka, topic), selection);
    if (command === 'list') {
      process.stdout.write(`${topic}.dlq: ${letters.length} dead letter(s)\n`);
      for (const letter of letters) process.stdout.write(`  ${describeDeadLetter(letter)}\n`);
    } else if (command === 'show') {
      for (const letter of letters) await show(letter, new EventSchemaRegistry(tool.SCHEMA_REGISTRY_URL));
      if (letters.length === 0) process.stdout.write('no such dead letter\n');
    } else if (values['dry-run']) {
      process.stdout.write(`dry run: would replay ${letters.length} dead letter(s) to ${topic}\n`);
      for (const letter of letters) process.stdout.write(`  ${describeDeadLetter(letter)}\n`);
    } else {
      process.stdout.write(`replayed ${await replayDeadLetters(kafka, letters)} dead letter(s) to ${topic}\n`);
    }
  }
  return 0;
}

async function show(letter: DeadLetter, registry: EventSchemaRegistry): Promise<void> {
  process.stdout.write(`${describeDeadLetter(letter)}\nheaders: ${JSON.stringify(letter.headers, null, 2)}\n`);
  if (!letter.value) return void process.stdout.write('value: none\n');
  try {
    const event = await registry.decodeEvent(letter.sourceTopic, letter.value);
    process.stdout.write(`event: ${JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`);
  } catch (error) {
    // A value that does not decode is often why it was parked: show its bytes instead.
    process.stdout.write(`value (${letter.value.length} bytes, not a decodable event: ${error instanceof Error ? error.message : String(error)}): ${letter.value.toString('base64')}\n`);
  }
}

function topicsOf(given: string | undefined, required: boolean): readonly EventTopic[] {
  if (given === undefined) {
    if (required) throw new UsageError('--topic is needed: one of ' + ALL_EVENT_TOPICS.join(', '));
    return ALL_EVENT_TOPICS;
  }
  const topic = given.endsWith('.dlq') ? given.slice(0, -'.dlq'.length) : given;
  if (!isEventTopic(topic)) throw new UsageError(`--topic must be one of ${ALL_EVENT_TOPICS.join(', ')}`);
  return [topic];
}

function wholeNumber(raw: string, name: string): number {
  if (!/^\d{1,18}$/.test(raw)) throw new UsageError(`--${name} must be a whole number`);
  return Number(raw);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`dlq: ${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`dlq: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
