// The suite's fetch talks to workerd, which closes connections on its own schedule: 5 s after
// they go idle, right after answering a request whose body it did not read (a 413), without
// sending `Connection: close`. A client that sends its next request on such a socket in that
// instant gets "other side closed" or ECONNRESET for a request the server never received.
// Like Miniflare's own dispatchFetch, the suite therefore opens a connection per request.
import { Agent, setGlobalDispatcher } from 'undici';

setGlobalDispatcher(new Agent({ pipelining: 0 }));
