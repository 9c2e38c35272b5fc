import { profileEnv, ROOT } from '../../scripts/lib/profile.ts';

export { ROOT };

/** The suite's settings: the `test` profile (scripts/local.env overlaid by test/test.env). */
export const testEnv: Record<string, string> = profileEnv('test');

export const API_URL = `http://127.0.0.1:${testEnv.API_PORT}`;

/** The suite's pooled (DATABASE_URL) or direct (DIRECT_URL) URL, naming another database. */
export function databaseUrl(setting: 'DATABASE_URL' | 'DIRECT_URL', database: string): string {
  const url = new URL(testEnv[setting]!);
  url.pathname = `/${database}`;
  return url.toString();
}
