import { sleep } from './wait.ts';

/**
 * A stream or consumer delete that NATS 2.9 can fail while the server itself still writes the
 * thing's state: `unlinkat …: directory not empty`. That is a race in the server, not in the
 * code under test, so the test's own delete is tried again. Once a try has failed that way, a
 * later "not found" means that try did remove it. Any other failure is thrown. A clean-up
 * passes `mayBeAbsent` when the thing may never have been made.
 */
export async function deleteFromJetStream(
  what: string,
  remove: () => Promise<boolean>,
  { mayBeAbsent = false, timeoutMs = 10_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let raced = mayBeAbsent;
  for (;;) {
    try {
      if (await remove()) return;
      throw new Error(`${what}: the server did not confirm the delete`);
    } catch (error) {
      const message = String(error);
      if (raced && /not found/.test(message)) return;
      if (!/directory not empty/.test(message) || Date.now() > deadline) throw error;
      raced = true;
      await sleep(100);
    }
  }
}
