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

const LIMITS = { itemsPerBatch: 3, maxQueued: 5, overloaded: () => new Error('queue full') };
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
