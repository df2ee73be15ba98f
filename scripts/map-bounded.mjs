// Bounded concurrency for the load, crash and benchmark scripts.

/** Runs `work` over `items` with at most `limit` at once; resolves with the results in order. */
export async function mapBounded(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
