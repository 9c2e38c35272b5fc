/**
 * The list cache's Redis keys: one generation counter, which every write increments, and one
 * key per page. The edge reads and writes them; the ingest worker and the seeding script bump
 * the generation too.
 */
export function listCacheKeys(namespace: string) {
  return {
    generation: `${namespace}:list:generation`,
    page: (limit: number, offset: number) => `${namespace}:list:page:${limit}:${offset}`,
  };
}
