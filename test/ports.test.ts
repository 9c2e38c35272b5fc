import { describe, expect, it } from 'vitest';
import { isStackSettingName } from '../scripts/lib/stack-settings.ts';
import { readEnvFiles } from '../shared/settings.ts';
import { ROOT, testEnv } from './support/env.ts';

// Linux's default ephemeral range: a port in it can be handed to an outgoing connection (even a
// connection to itself while its service is down), and the service then cannot bind it again.
const EPHEMERAL = { from: 32768, to: 60999 };

function portsIn(env: Record<string, string>): Map<string, number> {
  const ports = new Map<string, number>();
  for (const [name, value] of Object.entries(env)) {
    if (name.endsWith('_PORT')) ports.set(name, Number(value));
    const inAddress = /^(?:[a-z]+:\/\/(?:[^@/]*@)?)?[\w.-]+:(\d+)(?:\/|$)/.exec(value);
    if (inAddress && (name.endsWith('_URL') || name.endsWith('_PROXY'))) ports.set(name, Number(inAddress[1]));
  }
  return ports;
}

describe('local ports', () => {
  const local = readEnvFiles([`${ROOT}scripts/local.env`], isStackSettingName);

  it.each([
    ['scripts/local.env', local],
    ['scripts/local.env + test/test.env', testEnv],
  ])('in %s all lie outside the ephemeral range', (_, env) => {
    const ports = portsIn(env);
    expect(ports.size).toBeGreaterThanOrEqual(10);
    for (const [name, port] of ports) {
      expect(port >= EPHEMERAL.from && port <= EPHEMERAL.to, `${name}=${port}`).toBe(false);
    }
  });

  it('include the ports test/start.test.ts gives its own `npm start`', () => {
    expect([...portsIn(testEnv).keys()].filter((name) => name.startsWith('START_'))).toHaveLength(5);
  });

  it('are read from addresses as well as from *_PORT settings', () => {
    const ports = portsIn({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:25432/db',
      PG_WS_PROXY: '127.0.0.1:25433',
      API_PORT: '3335',
      NAME: 'x:1',
    });
    expect([...ports]).toEqual([
      ['DATABASE_URL', 25432],
      ['PG_WS_PROXY', 25433],
      ['API_PORT', 3335],
    ]);
  });
});
