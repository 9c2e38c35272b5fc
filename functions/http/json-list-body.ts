/**
 * `{"<key>":[...]}` streamed from list items that are JSON text already, in `chunks` chunks of
 * comma-separated items: the first given, each further one fetched when the client is ready for
 * it. So the answer is held one chunk at a time. A chunk that cannot be fetched cuts the
 * answer short (the client sees a broken body, never a well-formed partial list).
 */
export function jsonListBody(
  key: string,
  first: string,
  chunks: number,
  fetchChunk: (chunk: number) => Promise<string>,
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
      const items = await fetchChunk(next++);
      controller.enqueue(encoder.encode(`,${items}`));
    },
  });
}
