import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU time (user + system, ms) of the processes `pids()` names at each reading. */
export interface CpuMeter {
  name: string;
  pids(): number[];
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, and cutime, cstime: children it has reaped (the postmaster's exited backends)
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    return 0; // gone
  }
}

/**
 * Processes whose command name is exactly `name` (e.g. every Postgres backend). The kernel keeps
 * only a name's first 15 characters (clickhouse-server is clickhouse-serv), so that is what is matched.
 */
export function byName(name: string): CpuMeter {
  return {
    name,
    pids: () => {
      try {
        return execFileSync('pgrep', ['-x', name.slice(0, 15)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map(Number);
      } catch {
        return [];
      }
    },
  };
}

/** A process group (a child started in its own group, with whatever it spawned). */
export function byGroup(name: string, pgid: number): CpuMeter {
  return {
    name,
    pids: () => {
      try {
        return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map(Number);
      } catch {
        return [];
      }
    },
  };
}

export const byPid = (name: string, pid: number): CpuMeter => ({ name, pids: () => [pid] });

/** Reads every meter now; the returned function gives the CPU ms each used since. */
export function startCpu(meters: CpuMeter[]): () => Map<string, number> {
  const read = () => new Map(meters.map((m) => [m.name, m.pids().reduce((sum, pid) => sum + cpuMsOf(pid), 0)]));
  const before = read();
  const self = process.cpuUsage();
  return () => {
    const after = read();
    const used = new Map([...after].map(([name, ms]) => [name, ms - (before.get(name) ?? 0)]));
    const own = process.cpuUsage(self);
    used.set('load generator + bench', (own.user + own.system) / 1000);
    return used;
  };
}
