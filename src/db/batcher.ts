/**
 * Group commit for statements that many concurrent callers send one row at a time (the mails of
 * a burst: their lookups, leases and outcomes). Calls that arrive in the same turn of the event
 * loop, or while the previous statement of the same kind is still running, are run as one
 * multi-row statement, and each caller gets its own row's answer. On a busy machine a loopback
 * round trip to PostgreSQL costs more CPU (ours and PostgreSQL's) than what these statements do,
 * so twenty mails in flight cost about one round trip per step instead of twenty.
 *
 * A statement is atomic: when the batch's statement fails (one row breaks a constraint, a
 * deadlock), nothing of it happened, and every row is run again alone, so only the rows that
 * fail on their own fail their callers.
 */
export interface BatcherOptions {
  /** Rows in one statement at most. */
  maxRows?: number;
  /**
   * Statements of this kind running at once. While they run, arrivals wait and go together in
   * the next one: the busier the path, the larger the batches, at a latency of one statement.
   */
  maxInFlight?: number;
}

/** Runs the rows of one batch as one statement: one answer per row, in the rows' order. */
export type BatchRunner<I, O> = (rows: readonly I[]) => Promise<O[]>;

interface Waiting<I, O> {
  row: I;
  resolve: (answer: O) => void;
  reject: (error: unknown) => void;
}

export function createBatcher<I, O>(run: BatchRunner<I, O>, options: BatcherOptions = {}): (row: I) => Promise<O> {
  const maxRows = options.maxRows ?? 100;
  const maxInFlight = options.maxInFlight ?? 1;
  const queue: Waiting<I, O>[] = [];
  let running = 0;
  let scheduled = false;

  const runAlone = async (waiting: Waiting<I, O>) => {
    try {
      const answers = await run([waiting.row]);
      if (answers.length !== 1) throw new Error(`a batch of 1 row gave ${answers.length} answers`);
      waiting.resolve(answers[0]!);
    } catch (error) {
      waiting.reject(error);
    }
  };

  const runBatch = async (batch: Waiting<I, O>[]) => {
    if (batch.length === 1) return runAlone(batch[0]!);
    let answers: O[];
    try {
      answers = await run(batch.map((w) => w.row));
    } catch {
      // Nothing of the statement happened: each row again on its own, so one row's fault (or a
      // deadlock between batches) fails only the callers it must.
      await Promise.all(batch.map(runAlone));
      return;
    }
    if (answers.length !== batch.length) {
      const error = new Error(`a batch of ${batch.length} rows gave ${answers.length} answers`);
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve(answers[i]!));
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0 && running < maxInFlight) {
      const batch = queue.splice(0, maxRows);
      running += 1;
      void runBatch(batch).finally(() => {
        running -= 1;
        schedule();
      });
    }
  };

  // Flushed after the current turn of the event loop: the callers that a result set woke (their
  // continuations run as microtasks) have all queued their next row by then.
  const schedule = () => {
    if (scheduled || queue.length === 0 || running >= maxInFlight) return;
    scheduled = true;
    setImmediate(flush);
  };

  return (row: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ row, resolve, reject });
      schedule();
    });
}
