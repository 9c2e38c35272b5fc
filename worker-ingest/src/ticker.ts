import { errorMessage, type Log } from '../../shared/log.ts';

export interface Ticker {
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `everyMs` (never two at once) until stopped. A failing tick is logged once
 * per distinct error and simply waits for the next one.
 */
export function startTicker(name: string, everyMs: number, tick: () => Promise<unknown>, log: Log): Ticker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let lastError: string | undefined;

  const run = async () => {
    try {
      await tick();
      if (lastError) log(`${name}_recovered`);
      lastError = undefined;
    } catch (error) {
      const message = errorMessage(error);
      if (message !== lastError) log(`${name}_failed`, { error: message });
      lastError = message;
    }
    if (!stopped) timer = setTimeout(() => (current = run()), everyMs);
  };
  timer = setTimeout(() => (current = run()), everyMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
