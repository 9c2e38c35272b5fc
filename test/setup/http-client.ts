// The suite's fetch talks to workerd, which closes connections on its own schedule: 5 s after
// they go idle, right after answering a request whose body it did not read (a 413), without
// sending `Connection: close`. A client that sends its next request on such a socket in that
// instant gets "other side closed" or ECONNRESET for a request the server never received.
// Like Miniflare's own dispatchFetch, the suite therefore opens a connection per request.
import { Agent, setGlobalDispatcher } from 'undici';
import { afterEach, expect } from 'vitest';
import { installAnswerCheck, takeAnswerProblems } from '../support/answer-check.ts';

setGlobalDispatcher(new Agent({ pipelining: 0 }));

// Every answer of an API instance matches its OpenAPI document and leaks nothing (answer-check.ts).
installAnswerCheck();
afterEach(async () => {
  expect(await takeAnswerProblems()).toEqual([]);
});
