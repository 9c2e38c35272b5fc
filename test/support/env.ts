import { fileURLToPath } from 'node:url';
import { readEnvFiles } from '../../scripts/lib/env-files.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The suite's settings: scripts/local.env overlaid by test/test.env. */
export const testEnv: Record<string, string> = readEnvFiles([`${ROOT}scripts/local.env`, `${ROOT}test/test.env`]);

export const API_URL = `http://127.0.0.1:${testEnv.API_PORT}`;
