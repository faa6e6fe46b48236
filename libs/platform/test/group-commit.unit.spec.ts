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

describe('group commit when submitters stop waiting', () => {
  const gaveUp = () => new Error('the caller gave up');

  it('given items queued behind a batch, when one submitter stops waiting, then that item is never written and the rest go in order', async () => {
    const writer = recordingWriter();
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const release = writer.holdNextBatch();
    const callerOfB = new AbortController();
    const answers = [commits.submit('a'), commits.submit('b', callerOfB.signal), commits.submit('c', new AbortController().signal)].map((answer) =>
      answer.catch((error: Error) => error.message),
    );
    callerOfB.abort(gaveUp());
    release();
    await expect(Promise.all(answers)).resolves.toEqual(['wrote a', 'the caller gave up', 'wrote c']);
    expect(writer.batches).toEqual([['a'], ['c']]);
  });

  it('given an item already in the batch being written, when its submitter stops waiting, then it is written and answered all the same', async () => {
    const writer = recordingWriter();
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const release = writer.holdNextBatch();
    const caller = new AbortController();
    const answer = commits.submit('a', caller.signal);
    caller.abort(gaveUp());
    release();
    await expect(answer).resolves.toBe('wrote a');
    expect(writer.batches).toEqual([['a']]);
  });

  it('given a submitter that stopped waiting before submitting, when it submits, then the item is refused with its reason and nothing is written', async () => {
    const writer = recordingWriter();
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const caller = new AbortController();
    caller.abort(gaveUp());
    await expect(commits.submit('a', caller.signal)).rejects.toThrow('the caller gave up');
    expect(writer.batches).toEqual([]);
  });

  it('given a full queue holding items whose submitters stopped waiting, when another comes, then it takes their place instead of being refused', async () => {
    const writer = recordingWriter();
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const release = writer.holdNextBatch();
    const callers = Array.from({ length: LIMITS.maxQueued }, () => new AbortController());
    const first = commits.submit('a');
    const abandoned = callers.map((caller, index) => commits.submit(`gone ${index}`, caller.signal).catch((error: Error) => error.message));
    for (const caller of callers) caller.abort(gaveUp());
    const late = commits.submit('late').catch((error: Error) => error.message);
    release();
    await expect(Promise.all(abandoned)).resolves.toEqual(callers.map(() => 'the caller gave up'));
    await expect(Promise.all([first, late])).resolves.toEqual(['wrote a', 'wrote late']);
    expect(writer.batches).toEqual([['a'], ['late']]);
  });

  it('given a batch that rolls back as a whole, when a submitter in it stopped waiting meanwhile, then its item is not written again alone', async () => {
    const callerOfB = new AbortController();
    const writer = recordingWriter((item) => {
      if (item !== 'c') return { kind: 'DONE', result: `wrote ${item}` };
      // b's caller gives up while the batch holding b and c is being written.
      callerOfB.abort(gaveUp());
      return 'THROW';
    });
    const commits = new GroupCommit(LIMITS, writer.write, noFailures);
    const release = writer.holdNextBatch();
    const answers = [commits.submit('a'), commits.submit('b', callerOfB.signal), commits.submit('c'), commits.submit('d')].map((answer) =>
      answer.catch((error: Error) => error.message),
    );
    release();
    await expect(Promise.all(answers)).resolves.toEqual(['wrote a', 'the caller gave up', 'batch c rolled back', 'wrote d']);
    expect(writer.batches).toEqual([['a'], ['b', 'c', 'd'], ['c'], ['d']]);
  });
});
