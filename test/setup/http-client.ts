// The suite's fetch talks to workerd, which closes a connection 5 s after it goes idle, and
// right after answering a request whose body it did not read (a 413), without sending
// `Connection: close`. A client that reuses such a socket in that instant sees ECONNRESET on a
// request the server never received. Idle sockets are therefore dropped well before workerd's
// limit; requests that expect a 413 send `Connection: close` themselves.
import { Agent, setGlobalDispatcher } from 'undici';

setGlobalDispatcher(new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 }));
