import { fileURLToPath } from 'node:url';
import { readEnvFiles } from '../../scripts/lib/env-files.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ENV_FILES = [`${ROOT}scripts/local.env`, `${ROOT}test/test.env`];

/** The suite's settings: scripts/local.env overlaid by test/test.env. */
export const testEnv: Record<string, string> = readEnvFiles(ENV_FILES);

export const API_URL = `http://127.0.0.1:${testEnv.API_PORT}`;
