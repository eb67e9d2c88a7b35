/**
 * Runs `work` over items with at most `concurrency` in flight, but hands results to `commit` strictly in input
 * order. Output written by `commit` (shards, indexes) is then deterministic however the work interleaves, and
 * `lookahead` bounds how many finished-but-uncommitted results wait in memory. `items` may be an async
 * iterable (records streamed from an index): it is pulled only `lookahead` ahead of the commits.
 */
export async function forEachOrdered<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  options: { concurrency: number; lookahead?: number },
  work: (item: T, index: number) => Promise<R>,
  commit: (result: R, item: T, index: number) => Promise<void> | void,
): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const lookahead = Math.max(concurrency, options.lookahead ?? concurrency * 2);
  const limit = createLimiter(concurrency);
  const pending: Array<{ item: T; index: number; result: Promise<R> }> = [];
  const source =
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : toAsync((items as Iterable<T>)[Symbol.iterator]());
  let started = 0;
  let exhausted = false;
  for (;;) {
    while (!exhausted && pending.length < lookahead) {
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const index = started++;
      const result = limit(() => work(next.value, index));
      // Observed later in order; this keeps a late failure from being reported as unhandled meanwhile.
      result.catch(() => undefined);
      pending.push({ item: next.value, index, result });
    }
    const head = pending.shift();
    if (!head) return;
    await commit(await head.result, head.item, head.index);
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}

/** Like Promise.all over a map, with bounded concurrency; results keep input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limit = createLimiter(Math.max(1, Math.floor(concurrency)));
  return Promise.all(items.map((item, index) => limit(() => work(item, index))));
}

function createLimiter(concurrency: number): <R>(task: () => Promise<R>) => Promise<R> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <R>(task: () => Promise<R>): Promise<R> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never overshoots.
    if (active >= concurrency) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}
