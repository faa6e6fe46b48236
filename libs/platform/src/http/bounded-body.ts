/** What bounded reading needs of a fetch answer; both Node's fetch and undici's answer fit. */
interface ReadableAnswer {
  readonly headers: { get(name: string): string | null };
  readonly body: (AsyncIterable<Uint8Array> & { cancel(reason?: unknown): Promise<void> }) | null;
}

/**
 * The body of a third party's answer as text, unless it is larger than `maxBytes`: then it is not
 * read further and undefined comes back. A peer that streams without end cannot fill our memory,
 * whatever its Content-Length says.
 */
export async function readBoundedText(response: ReadableAnswer, maxBytes: number): Promise<string | undefined> {
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body ?? []) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
