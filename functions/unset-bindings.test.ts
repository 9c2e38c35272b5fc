import { describe, expect, it } from 'vitest';
import { fromBindings, requireBindings } from './unset-bindings.ts';

describe('fromBindings', () => {
  const fields = { url: 'SERVICE_URL', user: 'SERVICE_USER', pass: 'SERVICE_PASSWORD' } as const;

  it('reads each field from its binding, with nothing unset', () => {
    const env = { SERVICE_URL: 'wss://a', SERVICE_USER: 'edge', SERVICE_PASSWORD: 's3cret' };
    const settings = fromBindings(env, fields);
    expect(settings).toEqual({ url: 'wss://a', user: 'edge', pass: 's3cret', unset: [] });
    expect(() => requireBindings(settings.unset)).not.toThrow();
  });

  it('names the bindings it lacks (empty counts as unset), and each use is refused naming them', () => {
    const settings = fromBindings({ SERVICE_URL: 'wss://a', SERVICE_USER: '' }, fields);
    expect(settings).toEqual({ url: 'wss://a', user: '', pass: '', unset: ['SERVICE_USER', 'SERVICE_PASSWORD'] });
    expect(() => requireBindings(settings.unset)).toThrow('SERVICE_USER, SERVICE_PASSWORD are not set');
  });
});
