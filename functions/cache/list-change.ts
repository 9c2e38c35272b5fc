/** The counts of the list, and the version that orders them (goods_stats.version). */
export interface ListCounts {
  version: number;
  total: number;
  removed: number;
}

/** The one good an update or a remove changed in place: its states as goods_json gives them, and its write's rev. */
export interface GoodChange {
  rev: number;
  old: unknown;
  new: unknown;
}

/**
 * What a committed write changed in the list (migration 0014): positions `first` .. `last`
 * (1-based; `last` null for "to the end"), the counts after it, and for an update or a remove
 * the good it changed, at position `first`.
 */
export interface ListChange extends ListCounts {
  first: number | null;
  last: number | null;
  good?: GoodChange | null;
}

/** Positions per block: each block of positions has a version, bumped by a write that changes one of them. */
export const BLOCK_SIZE = 10;
/** Blocks past the deepest cacheable position (100 pages of 100) hold no cached page and get no version. */
export const BLOCKS = 1000;

export function blockOf(position: number): number {
  return Math.floor((position - 1) / BLOCK_SIZE);
}

/** The blocks a page covers, within those that have versions. */
export function pageBlocks(limit: number, offset: number): number[] {
  const first = blockOf(offset);
  const last = Math.min(blockOf(offset + limit - 1), BLOCKS - 1);
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** The versioned blocks a change touched: none when it lies past them all; from the first when its start is unknown. */
export function changedBlocks(change: Pick<ListChange, 'first' | 'last'>): number[] {
  const first = blockOf(Math.max(1, change.first ?? 1));
  const last = change.last === null ? BLOCKS - 1 : Math.min(blockOf(change.last), BLOCKS - 1);
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}
