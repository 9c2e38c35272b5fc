// The page sizes clients pick: any up to the default 10, then the usual 20, 50 and 100. Larger
// pages are rare and heavy to hold, and a deep page costs Postgres what the first one does, so
// only the first 100 pages of each size are cached.
const PAGE_SIZES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 50, 100]);
const PAGES_PER_SIZE = 100;

/** The most page keys the list cache can hold, whatever the catalogue and the clients do. */
export const CACHEABLE_SHAPES = PAGE_SIZES.size * PAGES_PER_SIZE;

/** Whether a list page is cached: a known size, starting on a page boundary (offset = 1 + k × limit) among the first pages. */
export function isCacheablePage(limit: number, offset: number): boolean {
  if (!PAGE_SIZES.has(limit) || !Number.isInteger(offset) || offset < 1) return false;
  const page = (offset - 1) / limit;
  return Number.isInteger(page) && page < PAGES_PER_SIZE;
}

/** Every cacheable page that shows the good at `position`, as [limit, offset]: one per size at most. */
export function pagesContaining(position: number): [number, number][] {
  return [...PAGE_SIZES]
    .map((limit): [number, number] => [limit, 1 + Math.floor((position - 1) / limit) * limit])
    .filter(([limit, offset]) => isCacheablePage(limit, offset));
}
