import type { Readable } from 'node:stream';

/** What bounded reading needs of a fetch answer; both Node's fetch and undici's answer fit. */
interface FetchAnswer {
  readonly headers: { get(name: string): string | null };
  readonly body: (AsyncIterable<Uint8Array> & { cancel(reason?: unknown): Promise<void> }) | null;
}

/** What bounded reading needs of an answer from undici's `request()`: its headers as an object and its body as a stream. */
interface StreamAnswer {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

/**
 * The body of a third party's fetch answer as text, unless it is larger than `maxBytes`: then it
 * is not read further and undefined comes back. A peer that streams without end cannot fill our
 * memory, whatever its Content-Length says.
 */
export function readBoundedText(response: FetchAnswer, maxBytes: number): Promise<string | undefined> {
  const body = response.body;
  return readWithin(response.headers.get('content-length'), body ?? [], () => body?.cancel(), maxBytes);
}

/** readBoundedText for an answer of undici's `request()`; a body left unread is destroyed, which frees its connection. */
export function readBoundedStreamText(answer: StreamAnswer, maxBytes: number): Promise<string | undefined> {
  const declared = answer.headers['content-length'];
  return readWithin(typeof declared === 'string' ? declared : null, answer.body, () => void answer.body.destroy(), maxBytes);
}

async function readWithin(
  declaredLength: string | null,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  stopReading: () => Promise<void> | void,
  maxBytes: number,
): Promise<string | undefined> {
  if (Number(declaredLength ?? 0) > maxBytes) {
    await stopReading();
    return undefined;
  }
  const read: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      await Promise.resolve(stopReading()).catch(() => undefined);
      return undefined;
    }
    read.push(chunk);
  }
  return Buffer.concat(read).toString('utf8');
}
