/**
 * The list cache's Redis keys: one generation counter, which every write increments, and one
 * key per page, under `pagePrefix`. The edge reads and writes them; the ingest worker and the
 * seeding script bump the generation too.
 */
export function listCacheKeys(namespace: string) {
  const pagePrefix = `${namespace}:list:page:`;
  return {
    generation: `${namespace}:list:generation`,
    pagePrefix,
    page: (limit: number, offset: number) => `${pagePrefix}${limit}:${offset}`,
  };
}
