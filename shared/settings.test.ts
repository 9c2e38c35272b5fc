import { describe, expect, it } from 'vitest';
import { parseSettings, SECRET_SETTINGS, type SettingName } from './settings.ts';

/** The message parseSettings throws for `env`. */
function rejection(env: Record<string, string>, required: SettingName[] = []): string {
  try {
    parseSettings(env, required);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the settings were accepted');
}

// Bad values that still look like secrets: each holds the marker, which must never be printed.
const MARK = 'S3cr3t-Mark';
const badSecrets: Partial<Record<SettingName, string>> = {
  DATABASE_URL: `mysql://goods:${MARK}@db:5432/goods`,
  DIRECT_URL: `postgres://goods:${MARK}@db:5432`,
  UPSTASH_REDIS_REST_URL: `ftp://default:${MARK}@redis.example`,
  NATS_WS_URL: `http://edge:${MARK}@nats.example:443`,
  NATS_URL: `nats://worker:${MARK}@nats.example:4222, nats://x`,
  CLICKHOUSE_URL: `clickhouse://reader:${MARK}@ch.example:8443`,
};

describe('parseSettings errors', () => {
  it.each(Object.entries(badSecrets))('name %s and its rule, never its value', (name, value) => {
    const message = rejection({ [name]: value });
    expect(message).toContain(name);
    expect(message).toMatch(new RegExp(`${name} \\(value not shown\\): \\S`));
    expect(message).not.toContain(MARK);
  });

  it('shows the value of a setting that is not secret', () => {
    expect(rejection({ INGEST_HTTP_PORT: 'abc' })).toContain('INGEST_HTTP_PORT="abc"');
  });

  it('names a missing credential', () => {
    const message = rejection({}, ['CLICKHOUSE_WRITER_PASSWORD', 'INGEST_NATS_PASSWORD']);
    expect(message).toContain('CLICKHOUSE_WRITER_PASSWORD: is not set');
    expect(message).toContain('INGEST_NATS_PASSWORD: is not set');
  });

  it('treats every password, token and URL as secret', () => {
    for (const name of ['NATS_PASSWORD', 'INGEST_NATS_PASSWORD', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_WRITER_PASSWORD', 'API_TOKEN']) {
      expect(SECRET_SETTINGS.has(name as SettingName), name).toBe(true);
    }
    for (const name of Object.keys(badSecrets)) expect(SECRET_SETTINGS.has(name as SettingName), name).toBe(true);
    expect(SECRET_SETTINGS.has('UPSTASH_REDIS_REST_TOKEN')).toBe(true);
  });

  it('never shows a secret, whatever else is wrong beside it', () => {
    const message = rejection({ ...badSecrets, INGEST_HTTP_PORT: MARK, NATS_SUBJECT: 'goods.>' });
    expect(message.match(new RegExp(MARK, 'g'))).toHaveLength(1); // INGEST_HTTP_PORT's, which is not secret
  });
});
