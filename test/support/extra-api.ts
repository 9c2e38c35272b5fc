import { type BundledApi, startBundledApi } from '../../scripts/lib/bundled-api.ts';
import { ROOT, testEnv } from './env.ts';

export type ExtraApi = BundledApi;

/**
 * A second instance of the same Worker bundle with some settings overridden, for behaviour that
 * depends on configuration (API token, CORS, a broken DATABASE_URL, no Redis, no NATS).
 */
export function startExtraApi(port: number, overrides: Record<string, string>): Promise<ExtraApi> {
  return startBundledApi(ROOT, port, { ...testEnv, ...overrides });
}
