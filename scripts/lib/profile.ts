// The settings of the local stack and of the test suite: shared/settings.ts over the env files.
//   dev   scripts/local.env, then .dev.vars (if present), then the caller's environment wins, so
//         that `API_TOKEN=… npm start` or `API_PORT=4000 npm start` work.
//   test  scripts/local.env, then test/test.env, and nothing from the environment: a shell's
//         DATABASE_URL must never point the suite at other data.
// With CLUSTER=1 in the environment, either profile runs on the cluster stack instead: dev adds
// scripts/cluster.env after local.env, test adds it after local.env and test/cluster/cluster.env last.
// CLI, for shell scripts: `node --import tsx scripts/lib/profile.ts dev` prints `export` lines.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readEnvFiles } from '../../shared/settings.ts';
import { checkStackSettings, isStackSettingName } from './stack-settings.ts';
import { isMain } from './processes.ts';

export type Profile = 'dev' | 'test';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Whether the environment asks for the cluster stack (CLUSTER=1). */
export function clusterWanted(environment: NodeJS.ProcessEnv = process.env): boolean {
  return environment.CLUSTER === '1';
}

function profileFiles(profile: Profile, cluster: boolean): string[] {
  const local = `${ROOT}scripts/local.env`;
  const base = cluster ? [local, `${ROOT}scripts/cluster.env`] : [local];
  if (profile === 'test') return [...base, `${ROOT}test/test.env`, ...(cluster ? [`${ROOT}test/cluster/cluster.env`] : [])];
  const devVars = `${ROOT}.dev.vars`;
  return existsSync(devVars) ? [...base, devVars] : base;
}

/** The profile's settings as environment strings, validated (an error names each bad one). */
export function profileEnv(profile: Profile, environment: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env = readEnvFiles(profileFiles(profile, clusterWanted(environment)), isStackSettingName);
  if (profile === 'dev') {
    for (const [name, value] of Object.entries(environment)) if (isStackSettingName(name) && value !== undefined) env[name] = value;
  }
  checkStackSettings(env);
  return env;
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

if (isMain(import.meta.url)) {
  const profile = process.argv[2];
  if (profile !== 'dev' && profile !== 'test') {
    console.error('usage: profile.ts dev|test');
    process.exit(2);
  }
  try {
    const lines = Object.entries(profileEnv(profile)).map(([name, value]) => `export ${name}=${shellQuote(value)}\n`);
    process.stdout.write(lines.join(''));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
