// Where the Worker's isolate spends its CPU: a V8 CPU profile taken through the inspector, summed
// by function (self time). The profile itself is written out for a closer look in DevTools.
import { writeFileSync } from 'node:fs';
import type { Inspector } from '../support/inspector.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

/** Runs `during` under the profiler, writes the profile to `file`; with its result, the top functions by self time. */
export async function profileWorker<T>(
  inspector: Inspector,
  file: string,
  during: () => Promise<T>,
  top = 20,
): Promise<{ result: T; top: string[] }> {
  await inspector.call('Profiler.enable');
  await inspector.call('Profiler.start');
  let profile: Profile;
  let result: T;
  try {
    result = await during();
  } finally {
    profile = (await inspector.call<{ profile: Profile }>('Profiler.stop')).profile;
  }
  writeFileSync(file, JSON.stringify(profile));
  return { result, top: topSelfTimes(profile, top) };
}

/** The `top` functions of a V8 CPU profile (also Node's --cpu-prof files) by self time, as lines. */
export function topSelfTimes(profile: Profile, top: number): string[] {
  const hits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').pop() ?? ''}:${lineNumber + 1}`;
    hits.set(name, (hits.get(name) ?? 0) + (node.hitCount ?? 0));
    total += node.hitCount ?? 0;
  }
  return [...hits]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, n]) => `${((100 * n) / total).toFixed(1).padStart(5)} %  ${name}`);
}
