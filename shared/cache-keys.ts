/**
 * The list cache's Redis keys (README, "List cache"): the generation, which every stamp includes
 * and which bumping drops every page and the counts at once (the ingest worker's backstop, the
 * seeding script); the counts (`meta`); one version per block of positions; the rev of each
 * good's last in-place change; a record per audit
 * message that its write's invalidation ran; and one key per page, under `pagePrefix`.
 */
export function listCacheKeys(namespace: string) {
  const pagePrefix = `${namespace}:list:page:`;
  return {
    generation: `${namespace}:list:generation`,
    meta: `${namespace}:list:meta`,
    block: (block: number) => `${namespace}:list:block:${block}`,
    /** The rev of the last write of a good (`<id>:<projectId>`) that changed it in the cached pages. */
    rev: (good: string) => `${namespace}:list:rev:${good}`,
    /** Set by a write's invalidation, per audit message: the ingest worker's backstop looks for it. */
    invalidated: (messageId: string) => `${namespace}:list:invalidated:${messageId}`,
    pagePrefix,
    page: (limit: number, offset: number) => `${pagePrefix}${limit}:${offset}`,
  };
}
