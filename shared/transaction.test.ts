import { describe, expect, it } from 'vitest';
import { inTransaction } from './transaction.ts';

function recordingClient(failOn?: string) {
  const sent: string[] = [];
  return {
    sent,
    query: async (sql: string) => {
      sent.push(sql);
      if (sql === failOn) throw new Error(`${sql} failed`);
    },
  };
}

describe('inTransaction', () => {
  it('commits what the work did, and returns its result', async () => {
    const client = recordingClient();
    await expect(inTransaction(client, async () => client.query('UPDATE t').then(() => 7), 'BEGIN; SELECT lock()')).resolves.toBe(7);
    expect(client.sent).toEqual(['BEGIN; SELECT lock()', 'UPDATE t', 'COMMIT']);
  });

  it('rolls back when the work, the BEGIN or the COMMIT fails, and reports that failure, not the rollback', async () => {
    for (const failOn of ['UPDATE t', 'BEGIN', 'COMMIT']) {
      const client = recordingClient(failOn);
      const attempts: string[] = [];
      const failing = {
        query: async (sql: string) => {
          attempts.push(sql);
          if (sql === 'ROLLBACK') throw new Error('connection gone');
          return client.query(sql);
        },
      };
      await expect(inTransaction(failing, () => failing.query('UPDATE t'))).rejects.toThrow(`${failOn} failed`);
      expect(attempts.at(-1)).toBe('ROLLBACK');
    }
  });
});
