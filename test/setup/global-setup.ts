import { join } from 'node:path';
import { postgresPorts, startPgWsBridge } from '../../scripts/bridges/pg-ws-bridge.ts';
import { type LocalStack, startLocalStack } from '../../scripts/lib/local-stack.ts';
import { closeTestDb } from '../support/db.ts';
import { ROOT, testEnv } from '../support/env.ts';
import { prepareExactlyOnceRecords } from '../support/exactly-once.ts';

/** Brings up bridges, migrations and the API in workerd for the whole run (services are already up). */
export default async function setup(): Promise<() => Promise<void>> {
  const direct = await startPgWsBridge({ port: Number(testEnv.TEST_PG_WS_BRIDGE_PORT), pgPorts: postgresPorts(testEnv) });
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      root: ROOT,
      env: testEnv,
      logDir: join(ROOT, '.data/logs/test'),
      ingestWorker: false,
      api: { kind: 'bundle' },
    });
  } catch (error) {
    await direct.close();
    throw error;
  }
  try {
    await prepareExactlyOnceRecords();
  } catch (error) {
    await stack.stop();
    await direct.close();
    throw error;
  } finally {
    await closeTestDb();
  }
  return async () => {
    await stack.stop();
    await direct.close();
  };
}
