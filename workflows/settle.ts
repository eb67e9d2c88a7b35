/** One item's outcome: its value, or why it has none. */
export type Settled<T, V> = { item: T; ok: true; value: V } | { item: T; ok: false; reason: unknown };

/** `Promise.allSettled` that keeps each outcome next to the item it came from (no index lookups). */
export function settleEach<T, V>(items: readonly T[], fn: (item: T) => Promise<V>): Promise<Settled<T, V>[]> {
  return Promise.all(
    items.map((item) =>
      fn(item).then(
        (value): Settled<T, V> => ({ item, ok: true, value }),
        (reason: unknown): Settled<T, V> => ({ item, ok: false, reason }),
      ),
    ),
  );
}
