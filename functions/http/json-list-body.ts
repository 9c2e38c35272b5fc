/**
 * `{"<key>":[...]}` streamed from list items that are JSON text already, in `chunks` chunks of
 * comma-separated items: the first given, the others fetched a few at a time (`fetchChunks(from)`
 * returns chunks from `from` on, at least one) when the client is ready for them. So the answer
 * is held a few chunks at a time. Chunks that cannot be fetched cut the answer short (the client
 * sees a broken body, never a well-formed partial list).
 */
export function jsonListBody(
  key: string,
  first: string,
  chunks: number,
  fetchChunks: (from: number) => Promise<string[]>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 1;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(`{"${key}":[${first}`));
    },
    async pull(controller) {
      if (next >= chunks) {
        controller.enqueue(encoder.encode(']}'));
        controller.close();
        return;
      }
      const fetched = await fetchChunks(next);
      next += fetched.length;
      for (const items of fetched) controller.enqueue(encoder.encode(`,${items}`));
    },
  });
}
