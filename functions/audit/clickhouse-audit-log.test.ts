import { describe, expect, it } from 'vitest';
import { onAnyReplica } from './clickhouse-audit-log.ts';

const settings = (url: string) => ({ url, username: 'reader', password: 'secret', database: 'goods', unset: [] });

describe('onAnyReplica', () => {
  it('sends a read that lost its connection once more to the same replica', async () => {
    const seen: string[] = [];
    let calls = 0;
    const answer = await onAnyReplica(settings('http://one:8123'), async () => {
      seen.push('one');
      if (++calls === 1) throw new Error('Network connection lost.');
      return 'rows';
    });
    expect(answer).toBe('rows');
    expect(seen).toEqual(['one', 'one']);
  });

  it('moves on to the next replica after two quick failures, and throws the last error when all fail', async () => {
    let calls = 0;
    await expect(
      onAnyReplica(settings('http://one:8123,http://two:8123'), async () => {
        calls++;
        throw new Error(`refused ${calls}`);
      }),
    ).rejects.toThrow('refused 4');
    expect(calls).toBe(4);
  });
});
