import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, testEnv } from '../../test/support/env.ts';
import { waitFor } from '../../test/support/wait.ts';
import { bridgeProcesses } from './bridge-processes.ts';
import { freePort, portIsFree } from './processes.ts';

describe('bridge processes', () => {
  it('serve from processes of their own, and stop with stopAll', async () => {
    const bridges = bridgeProcesses(ROOT, testEnv);
    const rest = await bridges.start('rest', 'upstash-rest.ts', 'REDIS_REST_PORT');
    expect(rest.pid).not.toBe(process.pid);
    expect((await fetch(`http://127.0.0.1:${rest.port}/stats`)).status).toBe(200);
    await bridges.stopAll();
    expect(await portIsFree(rest.port)).toBe(true);
  });

  it('go with the process that started them, even when it is killed', async () => {
    const port = await freePort();
    const script = `
      import(${JSON.stringify(join(ROOT, 'scripts/lib/bridge-processes.ts'))})
        .then(({ bridgeProcesses }) => bridgeProcesses(${JSON.stringify(ROOT)}, process.env).start('pg', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT', ${port}))
        .then(() => console.log('started'));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--eval', script], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        parent.stdout.on('data', (data) => String(data).includes('started') && resolve());
        parent.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      expect(await portIsFree(port)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
    expect(await waitFor('the orphaned bridge to stop', () => portIsFree(port), 10_000)).toBe(true);
  });
});
