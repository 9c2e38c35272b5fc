/**
 * The list cache's Redis keys (README, "List cache"): the generation, which every stamp includes
 * and which bumping drops every page and the counts at once (the ingest worker, the seeding
 * script); the counts (`meta`); one version per block of positions; and one key per page, under
 * `pagePrefix`.
 */
export function listCacheKeys(namespace: string) {
  const pagePrefix = `${namespace}:list:page:`;
  return {
    generation: `${namespace}:list:generation`,
    meta: `${namespace}:list:meta`,
    block: (block: number) => `${namespace}:list:block:${block}`,
    pagePrefix,
    page: (limit: number, offset: number) => `${pagePrefix}${limit}:${offset}`,
  };
}
