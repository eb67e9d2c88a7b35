/**
 * Runs `work` over items with at most `concurrency` in flight, but hands results to `commit` strictly in input
 * order. Output written by `commit` (shards, indexes) is then deterministic however the work interleaves, and
 * `lookahead` bounds how many finished-but-uncommitted results wait in memory.
 */
export async function forEachOrdered<T, R>(
  items: readonly T[],
  options: { concurrency: number; lookahead?: number },
  work: (item: T, index: number) => Promise<R>,
  commit: (result: R, item: T, index: number) => Promise<void> | void,
): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const lookahead = Math.max(concurrency, options.lookahead ?? concurrency * 2);
  const limit = createLimiter(concurrency);
  const pending = new Map<number, Promise<R>>();
  let started = 0;
  for (let i = 0; i < items.length; i++) {
    while (started < items.length && started < i + lookahead) {
      const index = started;
      const promise = limit(() => work(items[index]!, index));
      // Observed later in order; this keeps a late failure from being reported as unhandled meanwhile.
      promise.catch(() => undefined);
      pending.set(index, promise);
      started++;
    }
    const result = await pending.get(i)!;
    pending.delete(i);
    await commit(result, items[i]!, i);
  }
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
