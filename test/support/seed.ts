import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, testEnv } from './env.ts';

const run = promisify(execFile);

/** Runs `npm run seed`'s script on the suite's database; resolves with what it printed. */
export async function seed(goods: number, projects: number): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/seed.ts'), '--goods', String(goods), '--projects', String(projects)],
    { cwd: ROOT, env: { ...process.env, ...testEnv }, timeout: 150_000 },
  );
  return stdout;
}
