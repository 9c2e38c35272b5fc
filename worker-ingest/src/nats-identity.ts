import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/nats-core';

/** Who the worker is to NATS: a user and password, or a creds file (an NKey seed, or a user JWT and its seed). */
export type NatsIdentity = { user: string; pass: string } | { credsFile: string };

export interface NatsServer {
  servers: string[];
  identity: NatsIdentity;
  /** TLS is required when any server is a `tls://` URL; caFile names a CA beyond the system's. */
  tls: { caFile?: string | undefined } | undefined;
}

/** The connect options that present `identity` over the transport `server` asks for. */
export function identityOptions(server: NatsServer): Pick<ConnectionOptions, 'user' | 'pass' | 'authenticator' | 'tls'> {
  const { identity } = server;
  // Read at each (re)connect: a rotated creds file is picked up without a restart.
  const auth = 'credsFile' in identity ? { authenticator: credsAuthenticator(() => readFileSync(identity.credsFile)) } : identity;
  return server.tls ? { ...auth, tls: server.tls } : auth;
}
