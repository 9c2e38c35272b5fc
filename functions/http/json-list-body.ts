/**
 * `{"<key>":[...]}` from list items that are JSON text already, streamed: each chunk is encoded
 * when it is sent and then let go, so the answer is never held twice.
 */
export function jsonListBody(key: string, chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pieces = [`{"${key}":[`, ...chunks.flatMap((chunk, i) => (i === 0 ? [chunk] : [',', chunk])), ']}'];
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      const piece = pieces[next];
      if (piece === undefined) return controller.close();
      pieces[next++] = '';
      controller.enqueue(encoder.encode(piece));
    },
  });
}
