// docker-compose.yml cannot be run on machines without a Docker engine, so this keeps it honest
// statically: pinned images, and the same ports and credentials as scripts/local.env and
// scripts/services.sh.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isStackSettingName } from '../scripts/lib/stack-settings.ts';
import { readEnvFiles } from '../shared/settings.ts';
import { loadConfig } from '../worker-ingest/src/config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  env_file?: string[];
  ports?: string[];
  volumes?: string[];
  network_mode?: string;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  container_name?: string;
  profiles?: string[];
  depends_on?: Record<string, unknown>;
}

const localEnv = readEnvFiles([join(root, 'scripts/local.env')], isStackSettingName);
/** A local.env value that must exist. */
function local(name: string): string {
  const value = localEnv[name];
  if (value === undefined) throw new Error(`${name} is missing in scripts/local.env`);
  return value;
}
const composeText = read('docker-compose.yml');
const compose = parse(composeText) as { services: Record<string, Service> };
const services = compose.services;
function service(name: string): Service {
  const def = services[name];
  if (!def) throw new Error(`docker-compose.yml has no service ${name}`);
  return def;
}
const servicesSh = read('scripts/services.sh');

/** Compose interpolation as with `--env-file scripts/local.env`: ${VAR}, ${VAR:-default}, $$. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (all, name?: string, fallback?: string) => {
    if (all === '$$') return '$';
    const resolved = (name === undefined ? undefined : localEnv[name]) ?? fallback;
    if (resolved === undefined) throw new Error(`${all} is neither in scripts/local.env nor defaulted`);
    return resolved;
  });
}

/** A service's environment, interpolated; missing keys read as undefined. */
const env = (name: string): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
/** One environment value that must exist. */
function envOf(name: string, key: string): string {
  const value = env(name)[key];
  if (value === undefined) throw new Error(`${name} has no environment ${key}`);
  return value;
}

interface Published {
  service: string;
  ip: string;
  variable: string;
  hostPort: number;
  containerPort: number;
}

/** Every published port of the default services, with the local.env variable that names its host port. */
const published: Published[] = Object.entries(services)
  .filter(([, def]) => !def.profiles)
  .flatMap(([service, def]) =>
    (def.ports ?? []).map((spec) => {
      const [, ip, variable, container] = /^(127\.0\.0\.1):\$\{([A-Z0-9_]+)(?::-\d+)?\}:(.+)$/.exec(spec) ?? [];
      if (!ip || !variable || !container) {
        throw new Error(`${service}: port "${spec}" should be 127.0.0.1:\${VAR:-port}:containerPort`);
      }
      return { service, ip, variable, hostPort: Number(local(variable)), containerPort: Number(interpolate(container)) };
    }),
  );

const pgUrl = new URL(local('DATABASE_URL'));
const directUrl = new URL(local('DIRECT_URL'));

describe('docker-compose.yml images', () => {
  const images = Object.entries(services).filter(([, s]) => s.image);

  it('every service has an image or a build', () => {
    for (const [name, s] of Object.entries(services)) expect(s.image ?? s.build, name).toBeTruthy();
    expect(images.length).toBeGreaterThanOrEqual(5);
  });

  it.each(images)('%s is pinned to an exact version or a digest', (_name, s) => {
    const image = s.image!;
    const digest = /@sha256:([0-9a-f]*)$/.exec(image);
    if (digest) {
      expect(digest[1]).toMatch(/^[0-9a-f]{64}$/);
      return;
    }
    const tag = /:([^:/]+)$/.exec(image)?.[1];
    expect(tag, `${image} has no tag`).toBeDefined();
    expect(tag).not.toMatch(/latest|edge|nightly|head/i);
    // at least major.minor: `15-alpine` or `7` would float
    expect(tag).toMatch(/^v?\d+\.\d+/);
  });
});

describe('docker-compose.yml ports', () => {
  it('publishes each host port on loopback from its local.env variable, with local.env defaults', () => {
    for (const p of published) {
      expect(p.ip).toBe('127.0.0.1');
      expect(localEnv[p.variable], `${p.variable} missing in local.env`).toMatch(/^\d+$/);
      expect(p.hostPort).toBe(Number(localEnv[p.variable]));
    }
    // every ${VAR:-default} in the file defaults to the local.env value (works without --env-file)
    const code = composeText.replace(/^\s*#.*$/gm, '');
    for (const [, name, fallback] of code.matchAll(/\$\{([A-Z0-9_]+):-([^}]*)\}/g)) {
      expect(fallback, name).toBe(localEnv[name ?? '']);
    }
  });

  it('publishes exactly the local.env ports of the backing services, each from the right service', () => {
    const byService: Record<string, string[]> = {};
    for (const p of published) byService[p.service] = [...(byService[p.service] ?? []), p.variable];
    expect(byService).toEqual({
      postgres: ['PG_PORT', 'PG_WS_BRIDGE_PORT', 'PGBOUNCER_PORT'], // wsproxy and pgbouncer share postgres' network namespace
      redis: ['REDIS_PORT'],
      srh: ['REDIS_REST_PORT'],
      nats: ['NATS_PORT', 'NATS_WS_PORT', 'NATS_MONITOR_PORT'],
      clickhouse: ['CLICKHOUSE_HTTP_PORT', 'CLICKHOUSE_TCP_PORT'],
    });
    const envPorts = Object.keys(localEnv).filter((k) => k.endsWith('_PORT') && !['API_PORT', 'INGEST_HTTP_PORT'].includes(k));
    expect(published.map((p) => p.variable).sort()).toEqual(envPorts.sort());
    expect(new Set(published.map((p) => p.hostPort)).size).toBe(published.length);
  });

  it('covers every port variable scripts/services.sh uses, on the same service', () => {
    const shPorts = [...new Set([...servicesSh.matchAll(/\b([A-Z][A-Z0-9_]*_PORT)\b/g)].map((m) => m[1] ?? ''))];
    expect(shPorts.sort()).toEqual([
      'CLICKHOUSE_HTTP_PORT',
      'CLICKHOUSE_TCP_PORT',
      'NATS_MONITOR_PORT',
      'NATS_PORT',
      'NATS_WS_PORT',
      'PGBOUNCER_PORT',
      'PG_PORT',
      'REDIS_PORT',
    ]);
    // pgbouncer's port is published by postgres, whose network namespace it shares
    const owners: Record<string, string> = {
      PG: 'postgres',
      PGBOUNCER: 'postgres',
      REDIS: 'redis',
      NATS: 'nats',
      CLICKHOUSE: 'clickhouse',
    };
    const owner = (v: string) => owners[v.split('_')[0] ?? ''];
    for (const v of shPorts) expect(published.find((p) => p.variable === v)?.service, v).toBe(owner(v));
  });

  it('agrees with the URLs in local.env', () => {
    const port = (v: string) => Number(local(v));
    const urlPort = (v: string) => Number(new URL(local(v)).port);
    expect(Number(pgUrl.port)).toBe(port('PGBOUNCER_PORT'));
    expect(Number(directUrl.port)).toBe(port('PG_PORT'));
    expect(local('PG_WS_PROXY')).toBe(`127.0.0.1:${port('PG_WS_BRIDGE_PORT')}`);
    expect(urlPort('UPSTASH_REDIS_REST_URL')).toBe(port('REDIS_REST_PORT'));
    expect(urlPort('NATS_URL')).toBe(port('NATS_PORT'));
    expect(urlPort('NATS_WS_URL')).toBe(port('NATS_WS_PORT'));
    expect(urlPort('CLICKHOUSE_URL')).toBe(port('CLICKHOUSE_HTTP_PORT'));
  });
});

describe('docker-compose.yml services', () => {
  it('postgres: credentials of DATABASE_URL, cleartext password auth, goods_test database', () => {
    const pg = env('postgres');
    expect(pg.POSTGRES_USER).toBe(decodeURIComponent(pgUrl.username));
    expect(pg.POSTGRES_PASSWORD).toBe(decodeURIComponent(pgUrl.password));
    expect(pg.POSTGRES_DB).toBe(pgUrl.pathname.slice(1));
    expect(pg.POSTGRES_HOST_AUTH_METHOD).toBe('password');
    // initdb's own 127.0.0.1/::1 lines come first in pg_hba.conf: they must not be trust
    expect(pg.POSTGRES_INITDB_ARGS).toContain('--auth-host=password');
    // Postgres listens on PG_PORT inside too, so `address=127.0.0.1:PG_PORT` works through wsproxy
    expect(pg.PGPORT).toBe(localEnv.PG_PORT);
    expect(published.find((p) => p.variable === 'PG_PORT')?.containerPort).toBe(Number(localEnv.PG_PORT));
    expect(read('scripts/docker/postgres-init.sql')).toMatch(
      new RegExp(`CREATE DATABASE ${pg.POSTGRES_DB}_test OWNER ${pg.POSTGRES_USER}`, 'i'),
    );
  });

  it('wsproxy: forwards the addresses the app and the ingest worker ask for, nothing else', () => {
    const ws = env('wsproxy');
    expect(service('wsproxy').network_mode).toBe('service:postgres');
    expect(ws.APPEND_PORT).toBe('');
    expect(ws.LISTEN_PORT).toBe(`:${localEnv.PG_WS_BRIDGE_PORT}`);
    expect(published.find((p) => p.variable === 'PG_WS_BRIDGE_PORT')?.containerPort).toBe(Number(localEnv.PG_WS_BRIDGE_PORT));
    expect(ws).toHaveProperty('LOG_TRAFFIC');
    const allowed = new RegExp(envOf('wsproxy', 'ALLOW_ADDR_REGEX'));
    const ingestDb = new URL(envOf('ingest', 'DATABASE_URL'));
    expect(allowed.test(pgUrl.host)).toBe(true); // from the host: 127.0.0.1:PGBOUNCER_PORT
    expect(allowed.test(directUrl.host)).toBe(true); // migrations: 127.0.0.1:PG_PORT
    expect(allowed.test(ingestDb.host)).toBe(true); // from the compose network
    expect(allowed.test('example.com:5432')).toBe(false);
    expect(allowed.test(`${pgUrl.host}x`)).toBe(false);
  });

  it('pgbouncer: in front of postgres with the pool settings scripts/services.sh gives the local one', () => {
    const pgb = env('pgbouncer');
    expect(service('pgbouncer').network_mode).toBe('service:postgres');
    expect([pgb.DB_HOST, pgb.DB_PORT, pgb.LISTEN_PORT]).toEqual(['127.0.0.1', localEnv.PG_PORT, localEnv.PGBOUNCER_PORT]);
    expect([pgb.DB_USER, pgb.DB_PASSWORD]).toEqual([pgUrl.username, pgUrl.password]);
    // The local pooler's settings, as services.sh writes them (the services run during tests).
    const ini = Object.fromEntries(
      [...read('.data/pgbouncer/pgbouncer.ini').matchAll(/^([a-z_]+) = (.*)$/gm)].map((m) => [m[1]!.toUpperCase(), m[2]!]),
    );
    for (const key of [
      'AUTH_TYPE',
      'POOL_MODE',
      'ADMIN_USERS',
      'MAX_CLIENT_CONN',
      'DEFAULT_POOL_SIZE',
      'RESERVE_POOL_SIZE',
      'QUERY_WAIT_TIMEOUT',
      'SERVER_LOGIN_RETRY',
      'SERVER_CONNECT_TIMEOUT',
    ]) {
      expect(pgb[key], key).toBe(ini[key]);
    }
    expect(ini.POOL_MODE).toBe('transaction');
    expect(ini.AUTH_TYPE).toBe('plain');
  });

  it('srh: the Upstash token of local.env, pointing at the redis service', () => {
    const srh = env('srh');
    expect(srh.SRH_MODE).toBe('env');
    expect(srh.SRH_TOKEN).toBe(localEnv.UPSTASH_REDIS_REST_TOKEN);
    expect(srh.SRH_CONNECTION_STRING).toBe('redis://redis:6379');
  });

  it('nats: published container ports are the ones nats.conf opens; JetStream and plain WebSocket on', () => {
    const conf = read('scripts/docker/nats.conf');
    const containerPort = (v: string) => published.find((p) => p.variable === v)?.containerPort;
    expect(conf).toMatch(new RegExp(`^listen:\\s*0\\.0\\.0\\.0:${containerPort('NATS_PORT')}\\s*$`, 'm'));
    expect(conf).toMatch(new RegExp(`^http:\\s*0\\.0\\.0\\.0:${containerPort('NATS_MONITOR_PORT')}\\s*$`, 'm'));
    expect(conf).toMatch(new RegExp(`websocket\\s*\\{[^}]*port:\\s*${containerPort('NATS_WS_PORT')}\\b[^}]*\\}`));
    expect(conf).toMatch(/websocket\s*\{[^}]*no_tls:\s*true/);
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:/);
    expect(service('nats').volumes).toContain('./scripts/docker/nats.conf:/etc/nats/nats.conf:ro');
  });

  it('nats: the identities of the local server (accounts.conf), users and passwords of local.env', () => {
    expect(read('scripts/docker/nats.conf')).toMatch(/^include "accounts\.conf"$/m);
    expect(service('nats').volumes).toContain('./scripts/nats/accounts.conf:/etc/nats/accounts.conf:ro');
    // the local server includes the same file
    expect(servicesSh).toContain('cp "$ROOT/scripts/nats/accounts.conf" "$dir/accounts.conf"');
    expect(servicesSh).toMatch(/^include "accounts\.conf"$/m);
    const nats = env('nats');
    for (const name of ['NATS_USER', 'NATS_PASSWORD', 'INGEST_NATS_USER', 'INGEST_NATS_PASSWORD']) {
      expect(nats[name], name).toBe(local(name));
    }
    // The edge publishes to both profiles' <subject>.>; the test root also holds per-file streams.
    const accounts = read('scripts/nats/accounts.conf');
    const testSubject = readEnvFiles([join(root, 'scripts/local.env'), join(root, 'test/test.env')], isStackSettingName).NATS_SUBJECT ?? '';
    const publish = [...accounts.matchAll(/publish: \{ allow: \[([^\]]*)\] \}/g)].map((m) =>
      m[1]!.split(',').map((x) => JSON.parse(x.trim())),
    );
    expect(publish).toEqual([
      [`${local('NATS_SUBJECT')}.>`, `${testSubject.split('.')[0]}.>`],
      ['$JS.API.>', '$JS.ACK.>', `${local('NATS_SUBJECT')}.>`, `${testSubject.split('.')[0]}.>`],
    ]);
    expect(accounts).toMatch(/user: \$NATS_USER\s+password: \$NATS_PASSWORD/);
    expect(accounts).toMatch(/user: \$INGEST_NATS_USER\s+password: \$INGEST_NATS_PASSWORD/);
  });

  it('clickhouse: the writer and the read-only reader of local.env; no anonymous default', () => {
    const ch = env('clickhouse');
    // the image's entrypoint would turn these into its default user
    expect(ch.CLICKHOUSE_USER).toBeUndefined();
    expect(ch.CLICKHOUSE_PASSWORD).toBeUndefined();
    expect(ch.CLICKHOUSE_SKIP_USER_SETUP).toBeUndefined();
    expect(ch.CLICKHOUSE_WRITER_PASSWORD).toBe(local('CLICKHOUSE_WRITER_PASSWORD'));
    expect(ch.CLICKHOUSE_READER_PASSWORD).toBe(local('CLICKHOUSE_PASSWORD'));
    expect(service('clickhouse').volumes).toContain('./scripts/docker/clickhouse-users.xml:/etc/clickhouse-server/users.d/goods.xml:ro');
    const users = read('scripts/docker/clickhouse-users.xml');
    const user = (name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(users)?.[1] ?? '';
    expect(user(local('CLICKHOUSE_WRITER_USER'))).toContain('<password from_env="CLICKHOUSE_WRITER_PASSWORD"/>');
    expect(user(local('CLICKHOUSE_USER'))).toContain('<password from_env="CLICKHOUSE_READER_PASSWORD"/>');
    expect(user(local('CLICKHOUSE_USER'))).toContain('<profile>reader</profile>');
    expect(users).toMatch(/<reader><readonly>2<\/readonly><\/reader>/);
    expect(servicesSh).toMatch(/<reader><readonly>2<\/readonly><\/reader>/);
    const sql = read('scripts/docker/clickhouse-init.sql');
    for (const db of [localEnv.CLICKHOUSE_DATABASE, `${localEnv.CLICKHOUSE_DATABASE}_test`]) {
      expect(sql).toMatch(new RegExp(`CREATE DATABASE IF NOT EXISTS ${db};`));
    }
  });

  it("ingest: its settings (local.env, then its environment) pass the worker's own validation", () => {
    const settings = loadConfig({ ...localEnv, ...env('ingest') });
    expect(settings.nats.servers).toEqual(['nats://nats:4222']);
  });

  it('ingest: runs as two replicas, which nothing pins to one container or host port', () => {
    const ingest = service('ingest');
    expect(ingest.deploy?.replicas).toBe(2);
    expect(ingest.container_name).toBeUndefined();
    expect(ingest.ports).toBeUndefined();
  });

  it('ingest: built from worker-ingest/Dockerfile, local.env with compose service names', () => {
    const ingest = service('ingest');
    expect(ingest.image).toBeUndefined();
    expect(ingest.build).toEqual({ context: '.', dockerfile: 'worker-ingest/Dockerfile' });
    expect(ingest.env_file).toContain('scripts/local.env');
    const e = env('ingest');
    expect(e.NATS_URL).toBe('nats://nats:4222');
    expect(e.CLICKHOUSE_URL).toBe('http://clickhouse:8123');
    const db = new URL(envOf('ingest', 'DATABASE_URL'));
    expect([db.hostname, db.port, db.username, db.password, db.pathname]).toEqual([
      'postgres',
      localEnv.PGBOUNCER_PORT,
      pgUrl.username,
      pgUrl.password,
      pgUrl.pathname,
    ]);
    expect(e.PG_WS_PROXY).toBe(`postgres:${localEnv.PG_WS_BRIDGE_PORT}`);
  });

  it('builds from Dockerfiles that exist and pin their base images and sources', () => {
    const built = Object.values(services).flatMap((s) => (s.build ? [s.build as { dockerfile: string }] : []));
    const dockerfiles = [...new Set(built.map((b) => b.dockerfile))].sort();
    expect(dockerfiles).toEqual(['scripts/docker/wsproxy.Dockerfile', 'worker-ingest/Dockerfile']);
    for (const dockerfile of dockerfiles) {
      const text = read(dockerfile);
      const bases = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
      expect(bases.length, dockerfile).toBeGreaterThan(0);
      for (const base of bases) expect(base, `${dockerfile}: ${base}`).toMatch(/:\d+\.\d+[\w.-]*$/);
    }
    expect(read('scripts/docker/wsproxy.Dockerfile')).toMatch(/go install github\.com\/neondatabase\/wsproxy@[0-9a-f]{40}\b/);
  });

  it('every image service has a healthcheck and every mounted file exists', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image) expect(s.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0);
      for (const v of s.volumes ?? []) {
        if (v.startsWith('./')) expect(existsSync(join(root, v.split(':')[0] ?? '')), v).toBe(true);
      }
    }
  });
});

describe('docker-compose.yml cluster profile', () => {
  const clusterEnv = readEnvFiles([join(root, 'scripts/local.env'), join(root, 'scripts/cluster.env')], isStackSettingName);
  const inCluster = Object.entries(services).filter(([, s]) => s.profiles?.includes('cluster'));
  const nodePort = (base: string, n: number) => Number(clusterEnv[base]) + 10 * (n - 1);
  const hostPorts = (name: string) =>
    (service(name).ports ?? []).map((spec) => {
      const [, host, container] = /^127\.0\.0\.1:(\d+):(\d+)$/.exec(spec) ?? [];
      if (!host) throw new Error(`${name}: port "${spec}" should be 127.0.0.1:hostPort:containerPort`);
      return [Number(host), Number(container)];
    });

  it('has the topology of the local cluster stack, each service only in the profile', () => {
    expect(inCluster.map(([name]) => name).sort()).toEqual(
      ['clickhouse-1', 'clickhouse-2', 'clickhouse-keeper', 'ingest-cluster', 'nats-1', 'nats-2', 'nats-3'].sort(),
    );
    for (const [name, s] of inCluster) expect(s.profiles, name).toEqual(['cluster']);
  });

  it('publishes each NATS node and ClickHouse replica on the host ports scripts/cluster.env names', () => {
    for (const n of [1, 2, 3]) {
      expect(hostPorts(`nats-${n}`)).toEqual([
        [nodePort('NATS_PORT', n), 4222],
        [nodePort('NATS_WS_PORT', n), 8080],
        [nodePort('NATS_MONITOR_PORT', n), 8222],
      ]);
    }
    for (const r of [1, 2]) {
      expect(hostPorts(`clickhouse-${r}`)).toEqual([
        [nodePort('CLICKHOUSE_HTTP_PORT', r), 8123],
        [nodePort('CLICKHOUSE_TCP_PORT', r), 9000],
      ]);
    }
    const urlPorts = (name: string) => clusterEnv[name]!.split(',').map((u) => Number(new URL(u).port));
    expect(urlPorts('NATS_URL')).toEqual([1, 2, 3].map((n) => nodePort('NATS_PORT', n)));
    expect(urlPorts('NATS_WS_URL')).toEqual([1, 2, 3].map((n) => nodePort('NATS_WS_PORT', n)));
    expect(urlPorts('CLICKHOUSE_URL')).toEqual([1, 2].map((r) => nodePort('CLICKHOUSE_HTTP_PORT', r)));
  });

  it('routes every NATS node to all three, with the identities of the single node', () => {
    const conf = read('scripts/docker/nats-cluster.conf');
    expect(conf).toMatch(/routes: \[nats-route:\/\/nats-1:6222, nats-route:\/\/nats-2:6222, nats-route:\/\/nats-3:6222\]/);
    expect(conf).toContain('include "accounts.conf"');
    for (const n of [1, 2, 3]) {
      expect(env(`nats-${n}`).NATS_SERVER_NAME).toBe(`goods-nats-${n}`);
      expect(service(`nats-${n}`).volumes).toContain('./scripts/nats/accounts.conf:/etc/nats/accounts.conf:ro');
      expect(env(`nats-${n}`)).toMatchObject({ NATS_USER: local('NATS_USER'), INGEST_NATS_USER: local('INGEST_NATS_USER') });
    }
  });

  it('gives each ClickHouse replica its macro, the cluster of both as the writer, and clickhouse-keeper', () => {
    const xml = read('scripts/docker/clickhouse-cluster.xml');
    expect(xml).toContain('<replica from_env="CLICKHOUSE_REPLICA"/>');
    expect(xml).toContain(`<${clusterEnv.CLICKHOUSE_CLUSTER}>`);
    expect(xml).toContain('<host>clickhouse-keeper</host><port>9181</port>');
    expect(xml).toContain('<distributed_ddl>');
    for (const r of [1, 2]) {
      expect(xml).toContain(`<host>clickhouse-${r}</host><port>9000</port><user>${local('CLICKHOUSE_WRITER_USER')}</user>`);
      expect(env(`clickhouse-${r}`).CLICKHOUSE_REPLICA).toBe(`clickhouse-${r}`);
      expect(service(`clickhouse-${r}`).volumes).toContain(
        './scripts/docker/clickhouse-users.xml:/etc/clickhouse-server/users.d/goods.xml:ro',
      );
      expect(Object.keys(service(`clickhouse-${r}`).depends_on ?? {})).toEqual(['clickhouse-keeper']);
    }
    expect(read('scripts/docker/clickhouse-keeper.xml')).toMatch(/<tcp_port>9181<\/tcp_port>/);
  });

  it("ingest-cluster: knows every node and replica, and passes the worker's own validation", () => {
    const settings = loadConfig({ ...clusterEnv, ...env('ingest-cluster') });
    expect(settings.nats.servers).toEqual(['nats://nats-1:4222', 'nats://nats-2:4222', 'nats://nats-3:4222']);
    expect(settings.clickhouse.url).toBe('http://clickhouse-1:8123,http://clickhouse-2:8123');
    expect(settings.streamReplicas).toBe(3);
    expect(clusterEnv.CLICKHOUSE_CLUSTER).toBe('goods');
    expect(service('ingest-cluster').env_file).toEqual(['scripts/local.env', 'scripts/cluster.env']);
    expect(service('ingest-cluster').deploy?.replicas).toBe(2);
  });
});
