import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { closeTestDb } from './db.ts';
import { type IngestProcess, startIngest } from './ingest.ts';
import { resetState } from './reset.ts';
import { services } from './services.ts';

export interface FaultTest {
  /** This test's name prefix: its goods, and so its events, carry it. */
  prefix: string;
  /** The test's ingest worker, stopped after the test. */
  ingest: IngestProcess | undefined;
}

/**
 * The frame of a test that breaks services under writes: a clean state and a fresh prefix before
 * each test (and an ingest worker, with `withIngest`); after it, every service up again and the
 * worker stopped, whatever the test left behind.
 */
export function useFaultTest(label: string, { withIngest = false } = {}): FaultTest {
  const test: FaultTest = { prefix: '', ingest: undefined };
  beforeEach(async () => {
    await resetState();
    test.prefix = `${label}-${randomUUID().slice(0, 8)}`;
    if (withIngest) test.ingest = await startIngest();
  });
  afterEach(async () => {
    try {
      await services('up');
    } finally {
      await test.ingest?.stop();
      test.ingest = undefined;
    }
  });
  afterAll(closeTestDb);
  return test;
}
