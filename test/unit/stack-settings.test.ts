import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStackSettings, envPort, isStackSettingName } from '../../scripts/lib/stack-settings.ts';
import { isSettingName, parseSettings, readEnvFiles } from '../../shared/settings.ts';

describe('the local stack settings', () => {
  it('are no deployable settings: a deployable ignores them, and its env files may not name them', () => {
    expect(isSettingName('PG_PORT')).toBe(false);
    expect(isSettingName('TEST_PG_WS_BRIDGE_PORT')).toBe(false);
    expect(parseSettings({ PG_PORT: 'not a port' })).toEqual({});
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    try {
      writeFileSync(join(dir, 'a.env'), 'PG_PORT=25432\nNATS_STREAM=GOODS\n');
      expect(() => readEnvFiles([join(dir, 'a.env')])).toThrow('unknown settings PG_PORT');
      expect(readEnvFiles([join(dir, 'a.env')], isStackSettingName)).toEqual({ PG_PORT: '25432', NATS_STREAM: 'GOODS' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are validated with the deployables when a profile is read, each bad one named', () => {
    expect(() => checkStackSettings({ PG_PORT: '70000', NATS_STREAM: 'a b' })).toThrow(/NATS_STREAM="a b": .*\n {2}PG_PORT="70000": /);
    expect(() => checkStackSettings({ CLOSED_PG_PORT: 'x' })).toThrow('CLOSED_PG_PORT="x"');
    expect(envPort({ REDIS_PORT: '63799' }, 'REDIS_PORT')).toBe(63799);
    expect(() => envPort({}, 'REDIS_PORT')).toThrow('REDIS_PORT: is not set');
  });
});
