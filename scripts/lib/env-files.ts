import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** Reads .env-style files; later files win over earlier ones. */
export function readEnvFiles(paths: readonly string[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const path of paths) Object.assign(merged, parseEnv(readFileSync(path, 'utf8')));
  return merged;
}

/** Fills process.env from the files without overriding what the caller's environment already set. */
export function loadEnvFiles(paths: readonly string[]): void {
  for (const [key, value] of Object.entries(readEnvFiles(paths))) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set (see scripts/local.env)`);
  return value;
}
