import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnChild, waitForHttp } from '../scripts/lib/processes.ts';
import { connectNats } from '../worker-ingest/src/nats.ts';
import { ROOT, testEnv, testNatsServer, testSubject } from './support/env.ts';
import { deleteFromJetStream } from './support/jetstream-delete.ts';

// No Docker engine runs here, so the ingest worker's image is checked by replaying its
// Dockerfile outside a container: a clean directory as WORKDIR, the same ENV, COPY and RUN steps
// in order, then the same CMD against the test services. It must start and serve /metrics.

interface Step {
  op: string;
  args: string;
}

function dockerfileSteps(): Step[] {
  const text = readFileSync(join(ROOT, 'worker-ingest/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const work = mkdtempSync(join(tmpdir(), 'worker-image-'));
const tag = randomUUID().slice(0, 8);
const stream = `GOODS_IMAGE_${tag}`;
let stopWorker: (() => Promise<void>) | undefined;

afterAll(async () => {
  await stopWorker?.();
  const nc = await connectNats(testNatsServer(), 'worker-image-test');
  const jsm = await jetstreamManager(nc);
  await deleteFromJetStream('the image test stream', () => jsm.streams.delete(stream), { mayBeAbsent: true });
  await nc.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the ingest worker image, its steps replayed', () => {
  it('installs what its CMD needs and starts the worker', { timeout: 240_000 }, async () => {
    const app = join(work, 'app');
    // The image's own environment, plus only what a shell needs; npm's cache stays in the scratch dir.
    const imageEnv: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: work, npm_config_cache: join(work, 'npm-cache') };
    let cmd: string[] | undefined;
    for (const { op, args } of dockerfileSteps()) {
      if (op === 'WORKDIR') expect(args).toBe('/app');
      if (op === 'ENV') {
        const [key, value] = args.split('=');
        imageEnv[key!] = value!;
      }
      if (op === 'COPY') {
        const parts = args.split(/\s+/);
        const dest = join(app, parts.pop()!);
        for (const source of parts) {
          const target = parts.length > 1 || dest.endsWith('/') ? join(dest, source.split('/').pop()!) : dest;
          mkdirSync(dirname(target), { recursive: true });
          cpSync(join(ROOT, source), target, { recursive: true });
        }
      }
      if (op === 'RUN') execFileSync('sh', ['-c', args], { cwd: app, env: imageEnv, stdio: 'ignore' });
      if (op === 'CMD') cmd = JSON.parse(args) as string[];
    }
    expect(imageEnv.NODE_ENV).toBe('production');
    expect(cmd).toBeDefined();

    const port = await freePort();
    const worker = spawnChild('image-worker', cmd![0]!, cmd!.slice(1), {
      cwd: app,
      env: {
        ...imageEnv,
        NATS_URL: testEnv.NATS_URL,
        INGEST_NATS_USER: testEnv.INGEST_NATS_USER,
        INGEST_NATS_PASSWORD: testEnv.INGEST_NATS_PASSWORD,
        NATS_STREAM: stream,
        NATS_SUBJECT: testSubject(`image${tag}`),
        INGEST_CONSUMER: `image-${tag}`,
        CLICKHOUSE_URL: testEnv.CLICKHOUSE_URL,
        CLICKHOUSE_WRITER_USER: testEnv.CLICKHOUSE_WRITER_USER,
        CLICKHOUSE_WRITER_PASSWORD: testEnv.CLICKHOUSE_WRITER_PASSWORD,
        CLICKHOUSE_DATABASE: testEnv.CLICKHOUSE_DATABASE,
        DATABASE_URL: testEnv.DATABASE_URL,
        PG_WS_PROXY: `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`,
        // It must leave the suite's outbox rows alone.
        RELAY_AFTER_MS: String(86_400_000),
        INGEST_HTTP_PORT: String(port),
      },
      logFile: join(work, 'worker.log'),
    });
    stopWorker = () => worker.stop(15_000);
    await waitForHttp(`http://127.0.0.1:${port}/metrics`, 60_000, () => `\n${readFileSync(join(work, 'worker.log'), 'utf8').slice(-2000)}`);
    await stopWorker();
    stopWorker = undefined;
    expect(worker.process.exitCode).toBe(0);
  });
});
