// Group commit: work that arrives while a batch is being written waits and goes, together with
// whatever else arrived, in the next one. One writer at a time per queue, so a burst of N callers
// costs a handful of transactions instead of N that queue for the same locks (the audit chain's
// head above all), and a lone caller is written at once, as before.

/** What the batch writer says of one item: its value, or the error that item alone ends with. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommit<T, R> {
  /** Queues one item; resolves with its result once the batch holding it has committed. */
  add(item: T): Promise<R>;
  /** Items waiting for the writer (not counting the batch being written). */
  readonly waiting: number;
}

/**
 * A queue whose items are written by `write`, at most `max` at a time, one batch after the other.
 * `write` settles every item of its batch, in order: a batch that fails as a whole is the writer's
 * to retry item by item, so that one bad item never fails the others.
 */
export function groupCommit<T, R>(write: (items: T[]) => Promise<Settled<R>[]>, o: { max: number }): GroupCommit<T, R> {
  const queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, o.max);
        let settled: Settled<R>[];
        try {
          settled = await write(batch.map((b) => b.item));
          if (settled.length !== batch.length) throw new Error(`group commit: ${settled.length} results for ${batch.length} items`);
        } catch (error) {
          settled = batch.map(() => ({ ok: false, error }));
        }
        settled.forEach((s, i) => (s.ok ? batch[i]!.resolve(s.value) : batch[i]!.reject(s.error)));
      }
    } finally {
      writing = false;
    }
  }

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!writing) void drain();
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}
