// Every answer an API instance gives a test, whichever way the test sent its request (the `api`
// helper or a raw `fetch`), is checked against what /openapi.json declares for it and for leaked
// internals. The suite's fetch is wrapped once per test file (test/setup/http-client.ts); what is
// wrong is collected and fails the test that received it (afterEach).
import { responseChecker } from './openapi.ts';

/** What an error body must never carry: stack frames, source positions, SQL, driver names. */
export const LEAKED_INTERNALS = /\bat \w+ \(|\.[jt]s:\d+|node_modules|SELECT|goods_\w+\(|postgres|zod|Error:/i;

type Checker = ReturnType<typeof responseChecker>;

const originalFetch = globalThis.fetch;
/** Per origin: the checker of the API instance there, or null when the origin is no API instance. */
const checkers = new Map<string, Promise<Checker | null>>();
const pending = new Set<Promise<void>>();
const problems: string[] = [];

function checkerFor(origin: string): Promise<Checker | null> {
  let checker = checkers.get(origin);
  if (!checker) {
    checker = originalFetch(new URL('/openapi.json', origin), { signal: AbortSignal.timeout(5_000) })
      .then(async (r) => {
        const document = r.ok ? ((await r.json()) as { openapi?: string }) : undefined;
        return document?.openapi ? responseChecker(document) : null;
      })
      .catch(() => {
        checkers.delete(origin); // not answering now (an instance that failed to start, say): ask again later
        return null;
      });
    checkers.set(origin, checker);
  }
  return checker;
}

/** What is wrong with one answer, or undefined. */
export async function problemOf(method: string, url: URL, status: number, text: string): Promise<string | undefined> {
  const checker = await checkerFor(url.origin);
  if (!checker) return undefined;
  // /healthz shows its probes' error text to the token's holder on purpose (test/security.test.ts).
  if (status >= 400 && url.pathname !== '/healthz' && LEAKED_INTERNALS.test(text))
    return `${method} ${url.pathname} ${status} leaks internals: ${text.slice(0, 200)}`;
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined; // not JSON (a 413 cut short, the docs page): the schema check is for JSON answers
  }
  return checker(method, url.pathname, status, body);
}

async function check(method: string, url: URL, response: Response): Promise<void> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return; // the test aborted the request or closed the body: there is no whole answer to judge
  }
  const problem = await problemOf(method, url, response.status, text);
  if (problem) problems.push(problem);
}

export function installAnswerCheck(): void {
  globalThis.fetch = async (input, init) => {
    const response = await originalFetch(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request?.url ?? String(input));
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const done = check(method, url, response.clone()).finally(() => pending.delete(done));
    pending.add(done);
    return response;
  };
}

/** The problems found since the last call; waits a moment for the checks still reading an answer. */
export async function takeAnswerProblems(): Promise<string[]> {
  const settled = Promise.all([...pending]);
  await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  return problems.splice(0);
}
