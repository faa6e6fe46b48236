import { GroupCommit, type ItemOutcome } from '../src/persistence/group-commit';

/** A batch writer over plain values that records each batch it was handed and answers as told. */
function recordingWriter(answer: (item: string) => ItemOutcome<string> | 'THROW' = (item) => ({ kind: 'DONE', result: `wrote ${item}` })) {
  const batches: string[][] = [];
  let release: () => void = () => undefined;
  let held = Promise.resolve();
  return {
    batches,
    /** Makes the next batch wait until `release()`: the items submitted meanwhile queue behind it. */
    holdNextBatch() {
      held = new Promise((resolve) => (release = resolve));
      return () => release();
    },
    write: async (items: readonly string[]): Promise<ItemOutcome<string>[]> => {
      batches.push([...items]);
      await held;
      held = Promise.resolve();
      const answers = items.map(answer);
      if (answers.includes('THROW')) throw new Error(`batch ${items.join(',')} rolled back`);
      return answers as ItemOutcome<string>[];
    },
  };
}

const LIMITS = { itemsPerBatch: 3, maxQueued: 5, overloaded: () => new Error('queue full'), batchesInParallel: 1 };
const noFailures = () => undefined;

describe('group commit', () => {
  it('given an idle writer, when one item comes, then it is written at once on its own', async () => {
    const writer = recordingWriter();
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    await expect(commits.submit('a')).resolves.toBe('wrote a');
    expect(writer.batches).toEqual([['a']]);
  });

  it('given a batch being written, when more items come, then the next batch takes them together, at most itemsPerBatch at a time', async () => {
    const writer = recordingWriter();
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const release = writer.holdNextBatch();
    const answers = ['a', 'b', 'c', 'd', 'e'].map((item) => commits.submit(item));
    release();
    await expect(Promise.all(answers)).resolves.toEqual(['wrote a', 'wrote b', 'wrote c', 'wrote d', 'wrote e']);
    expect(writer.batches).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('given maxQueued items waiting, when another comes, then it is refused at once and the others are still written', async () => {
    const writer = recordingWriter();
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const release = writer.holdNextBatch();
    const accepted = ['a', 'b', 'c', 'd', 'e', 'f'].map((item) => commits.submit(item));
    await expect(commits.submit('g')).rejects.toThrow('queue full');
    release();
    await expect(Promise.all(accepted)).resolves.toHaveLength(6);
  });

  it('given an item the writer answers AGAIN once, when the batch commits, then it leads the next batch ahead of later items', async () => {
    let deferred = false;
    const writer = recordingWriter((item) => {
      if (item === 'b' && !deferred) {
        deferred = true;
        return { kind: 'AGAIN' };
      }
      return { kind: 'DONE', result: `wrote ${item}` };
    });
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const release = writer.holdNextBatch();
    const answers = ['a', 'b', 'c', 'd'].map((item) => commits.submit(item));
    release();
    await Promise.all(answers);
    expect(writer.batches).toEqual([['a'], ['b', 'c', 'd'], ['b']]);
  });

  it('given an item refused by the writer, when the batch commits, then only that item fails', async () => {
    const writer = recordingWriter((item) => (item === 'b' ? { kind: 'FAILED', error: new Error('refused b') } : { kind: 'DONE', result: `wrote ${item}` }));
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const answers = ['a', 'b'].map((item) => commits.submit(item).catch((error: Error) => error.message));
    await expect(Promise.all(answers)).resolves.toEqual(['wrote a', 'refused b']);
  });

  it('given a batch that rolls back as a whole, when it is retried, then each item is written alone and only the culprit fails', async () => {
    const writer = recordingWriter((item) => (item === 'c' ? 'THROW' : { kind: 'DONE', result: `wrote ${item}` }));
    const failures: number[] = [];
    const commits = new GroupCommit(LIMITS, writer.write, (_error, items) => failures.push(items));
    const release = writer.holdNextBatch();
    const answers = ['a', 'b', 'c', 'd'].map((item) => commits.submit(item).catch((error: Error) => error.message));
    release();
    await expect(Promise.all(answers)).resolves.toEqual(['wrote a', 'wrote b', 'batch c rolled back', 'wrote d']);
    expect(writer.batches).toEqual([['a'], ['b', 'c', 'd'], ['b'], ['c'], ['d']]);
    expect(failures).toEqual([3]);
  });

  it('given a writer that answers for fewer items than it was given, when the batch ends, then it counts as failed rather than leave a caller waiting', async () => {
    const commits = new GroupCommit(LIMITS, async () => [], noFailures);
    await expect(commits.submit('a')).rejects.toThrow('a batch of 1 came back with 0 outcomes');
  });
});

describe('group commit when the database is away', () => {
  it('given a failure retryAlone rules out, when the batch fails, then every item gets the error at once, with no item written alone', async () => {
    const writer = recordingWriter((item) => (item === 'c' ? 'THROW' : { kind: 'DONE', result: `wrote ${item}` }));
    const failures: number[] = [];
    const commits = new GroupCommit(LIMITS, writer.write, (_error, items) => failures.push(items), () => false);
    const release = writer.holdNextBatch();
    const answers = ['a', 'b', 'c', 'd'].map((item) => commits.submit(item).catch((error: Error) => error.message));
    release();
    await expect(Promise.all(answers)).resolves.toEqual(['wrote a', 'batch b,c,d rolled back', 'batch b,c,d rolled back', 'batch b,c,d rolled back']);
    expect(writer.batches).toEqual([['a'], ['b', 'c', 'd']]);
    expect(failures).toEqual([]);
  });
});

/** A writer whose every batch waits until the test releases it, by the order the batches started in. */
function gatedWriter() {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  return {
    batches,
    release: (batch: number) => (gates[batch] as () => void)(),
    write: async (items: readonly string[]): Promise<ItemOutcome<string>[]> => {
      batches.push([...items]);
      await new Promise<void>((resolve) => gates.push(resolve));
      return items.map((item) => ({ kind: 'DONE', result: `wrote ${item}` }));
    },
  };
}

/** Items are written as `key:name`; the key is what they race for. */
const keyBeforeColon = (item: string) => item.split(':')[0] as string;
const TWO_AT_ONCE = { ...LIMITS, maxQueued: 10, batchesInParallel: 2 };

describe('group commit with batches in parallel', () => {
  it('given a batch being written, when an item of another key comes, then a second batch writes it without waiting', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(TWO_AT_ONCE, writer.write, noFailures, undefined, keyBeforeColon);
    const first = commits.submit('a:1');
    const second = commits.submit('b:1');
    expect(writer.batches).toEqual([['a:1'], ['b:1']]);
    writer.release(1);
    await expect(second).resolves.toBe('wrote b:1');
    writer.release(0);
    await expect(first).resolves.toBe('wrote a:1');
  });

  it('given a key being written, when more items of it come, then they wait for that batch and keep their order, while other keys go ahead', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(TWO_AT_ONCE, writer.write, noFailures, undefined, keyBeforeColon);
    const answers = [commits.submit('a:1'), commits.submit('a:2'), commits.submit('b:1'), commits.submit('a:3')];
    expect(writer.batches).toEqual([['a:1'], ['b:1']]);
    writer.release(1);
    await answers[2];
    expect(writer.batches).toEqual([['a:1'], ['b:1']]);
    writer.release(0);
    await answers[0];
    await new Promise(setImmediate);
    expect(writer.batches).toEqual([['a:1'], ['b:1'], ['a:2', 'a:3']]);
    writer.release(2);
    await expect(Promise.all(answers)).resolves.toEqual(['wrote a:1', 'wrote a:2', 'wrote b:1', 'wrote a:3']);
  });

  it('given every slot writing, when items of free keys come, then they wait for a slot and go together', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(TWO_AT_ONCE, writer.write, noFailures, undefined, keyBeforeColon);
    const answers = ['a:1', 'b:1', 'c:1', 'd:1'].map((item) => commits.submit(item));
    expect(writer.batches).toEqual([['a:1'], ['b:1']]);
    writer.release(0);
    await answers[0];
    await new Promise(setImmediate);
    expect(writer.batches).toEqual([['a:1'], ['b:1'], ['c:1', 'd:1']]);
    writer.release(1);
    writer.release(2);
    await expect(Promise.all(answers)).resolves.toHaveLength(4);
  });
});
