// `npm run deploy` runs this first (scripts/deploy.sh), before the migrations and wrangler: a
// Worker without API_TOKEN accepts writes from anyone, so a deploy needs the token in its
// environment (the deploy uploads it as the Worker's secret) or the operator's explicit word.
import { settingSchemas } from '../shared/settings.ts';
import { isMain } from './lib/processes.ts';

const AGREED = settingSchemas.ALLOW_PUBLIC_WRITES.value;
export const PUBLIC_WRITES = `ALLOW_PUBLIC_WRITES=${AGREED}`;

export interface DeployCheck {
  ok: boolean;
  message: string;
}

const refuse = (reason: string): DeployCheck => ({ ok: false, message: `deploy refused: ${reason}` });

/** Whether a deploy with this environment may go ahead, and what it means for writes. */
export function checkDeploy(env: Record<string, string | undefined>): DeployCheck {
  const token = env.API_TOKEN ?? '';
  const publicWrites = env.ALLOW_PUBLIC_WRITES ?? '';
  if (token && publicWrites) {
    return refuse('API_TOKEN and ALLOW_PUBLIC_WRITES are both set, so it is unclear whether writes should be public. Unset one.');
  }
  if (token)
    return { ok: true, message: "deploy check: writes will need the token, uploaded with this deploy as the Worker's API_TOKEN secret" };
  if (publicWrites === AGREED) {
    const message = `deploy check: ${PUBLIC_WRITES}: anyone can create, change and remove goods, unless an API_TOKEN secret from an earlier deploy is still set`;
    return { ok: true, message };
  }
  if (publicWrites) {
    return refuse(
      `ALLOW_PUBLIC_WRITES=${JSON.stringify(publicWrites)} is not the agreed value; to deploy with public writes set ${PUBLIC_WRITES}.`,
    );
  }
  return refuse(
    'API_TOKEN is not set, so the deployed API would accept writes from anyone.\n' +
      "  Set API_TOKEN in the environment of `npm run deploy` (the deploy uploads it as the Worker's secret),\n" +
      `  or, if writes are meant to be public, set ${PUBLIC_WRITES}.`,
  );
}

if (isMain(import.meta.url)) {
  const { ok, message } = checkDeploy(process.env);
  if (ok) console.log(message);
  else {
    console.error(message);
    process.exit(1);
  }
}
