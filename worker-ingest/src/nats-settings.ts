import { accessSync, constants } from 'node:fs';
import type { NatsServer } from './nats-identity.ts';

type Env = Record<string, string | undefined>;

/**
 * The worker's NATS server and identity from its environment (already valid by shared/settings.ts),
 * or the problems with them: INGEST_NATS_USER with INGEST_NATS_PASSWORD, or INGEST_NATS_CREDS, but
 * not both; NATS_CA only with tls:// servers.
 */
export function natsServer(env: Env): NatsServer | { problems: string[] } {
  const s = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')) as Env;
  const problems: string[] = [];
  const servers = (s.NATS_URL ?? '').split(',');
  const user = s.INGEST_NATS_USER !== undefined || s.INGEST_NATS_PASSWORD !== undefined;
  let identity: NatsServer['identity'] | undefined;
  if (s.INGEST_NATS_CREDS !== undefined) {
    if (user) problems.push('INGEST_NATS_CREDS: not together with INGEST_NATS_USER / INGEST_NATS_PASSWORD (one identity)');
    else if (readable(s.INGEST_NATS_CREDS)) identity = { credsFile: s.INGEST_NATS_CREDS };
    else problems.push('INGEST_NATS_CREDS: is not a readable file');
  } else if (s.INGEST_NATS_USER === undefined || s.INGEST_NATS_PASSWORD === undefined) {
    for (const name of ['INGEST_NATS_USER', 'INGEST_NATS_PASSWORD'] as const) {
      if (s[name] === undefined) problems.push(`${name}: is not set (or set INGEST_NATS_CREDS instead of both)`);
    }
  } else {
    identity = { user: s.INGEST_NATS_USER, pass: s.INGEST_NATS_PASSWORD };
  }
  const tlsWanted = servers.some((url) => url.startsWith('tls://'));
  if (s.NATS_CA !== undefined && !tlsWanted) problems.push('NATS_CA: needs tls:// servers in NATS_URL');
  if (s.NATS_CA !== undefined && !readable(s.NATS_CA)) problems.push('NATS_CA: is not a readable file');
  if (problems.length > 0 || !identity) return { problems };
  return { servers, identity, tls: tlsWanted ? (s.NATS_CA ? { caFile: s.NATS_CA } : {}) : undefined };
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
